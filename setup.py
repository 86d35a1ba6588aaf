"""The compiled reader (``ikepcap/read/_sift.pyx``, ``ikepcap/decode/_datagram.pyx``), built when it can be.

From the .pyx when Cython is there (``pip install .`` brings it, see pyproject.toml), else from
the C that an sdist ships beside it. The extensions are optional: without a C compiler the build
goes on without them and ikepcap reads in Python, as ``ikepcap --version`` then says.
"""

from pathlib import Path

from setuptools import Extension, setup

SOURCES = [Path("ikepcap/read/_sift.pyx"), Path("ikepcap/decode/_datagram.pyx")]

try:
    from Cython.Build import cythonize
except ImportError:
    cythonize = None


def _name(source: Path) -> str:
    return ".".join(source.with_suffix("").parts)


if cythonize is not None and all(source.exists() for source in SOURCES):
    extensions = cythonize([Extension(_name(source), [str(source)], optional=True) for source in SOURCES],
                           compiler_directives={"language_level": 3})
else:
    extensions = [Extension(_name(source), [str(source.with_suffix(".c"))], optional=True)
                  for source in SOURCES if source.with_suffix(".c").exists()]
for extension in extensions:        # cythonize makes its own Extension objects: say it again
    extension.optional = True

setup(ext_modules=extensions)
