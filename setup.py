"""The compiled sift (``ikepcap/read/_sift.pyx``), built when it can be.

From the .pyx when Cython is there (``pip install .`` brings it, see pyproject.toml), else from
the C that an sdist ships beside it. The extension is optional: without a C compiler the build
goes on without it and ikepcap sifts in Python, as ``ikepcap --version`` then says.
"""

from pathlib import Path

from setuptools import Extension, setup

SOURCE = Path("ikepcap/read/_sift.pyx")
GENERATED = SOURCE.with_suffix(".c")

try:
    from Cython.Build import cythonize
except ImportError:
    cythonize = None

if cythonize is not None and SOURCE.exists():
    extensions = cythonize([Extension("ikepcap.read._sift", [str(SOURCE)], optional=True)],
                           compiler_directives={"language_level": 3})
elif GENERATED.exists():
    extensions = [Extension("ikepcap.read._sift", [str(GENERATED)], optional=True)]
else:
    extensions = []
for extension in extensions:        # cythonize makes its own Extension objects: say it again
    extension.optional = True

setup(ext_modules=extensions)
