/*
 * lab-fake-kernel: a strongSwan (5.9.x) kernel_ipsec_t that accepts every call.
 *
 * Why: the lab kernel has XFRM netlink but no ESP transform, so charon's
 * kernel-netlink plugin fails to install CHILD_SAs and IKE would then behave
 * differently from a real gateway (CHILD_SA setup errors, deletes).  With this
 * backend charon runs IKE exactly as on a real box; only the data plane is
 * missing (no ESP packets are ever produced by a SA "installed" here).
 *
 * It is written for the ikepcap lab and built by captures/lab/run.sh against
 * the headers of the strongSwan source package; it is loaded with LD_PRELOAD
 * and named first in charon.load so that it wins over kernel-netlink, which
 * still provides the kernel-net part (addresses, routes, interfaces).
 */
#include <library.h>
#include <daemon.h>
#include <plugins/plugin.h>
#include <kernel/kernel_ipsec.h>

typedef struct {
	kernel_ipsec_t public;
	uint32_t next_spi;
	uint16_t next_cpi;
} lab_ipsec_t;

METHOD(kernel_ipsec_t, get_features, kernel_feature_t, lab_ipsec_t *this)
{
	return 0;
}

METHOD(kernel_ipsec_t, get_spi, status_t, lab_ipsec_t *this, host_t *src,
	   host_t *dst, uint8_t protocol, uint32_t *spi)
{
	/* a counter: unique within this charon, which is all a SAD needs; the
	 * two peers may hand out the same values (no data plane compares them) */
	*spi = htonl(this->next_spi++);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, get_cpi, status_t, lab_ipsec_t *this, host_t *src,
	   host_t *dst, uint16_t *cpi)
{
	*cpi = htons(this->next_cpi++);
	return SUCCESS;
}

METHOD(kernel_ipsec_t, add_sa, status_t, lab_ipsec_t *this,
	   kernel_ipsec_sa_id_t *id, kernel_ipsec_add_sa_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, update_sa, status_t, lab_ipsec_t *this,
	   kernel_ipsec_sa_id_t *id, kernel_ipsec_update_sa_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, query_sa, status_t, lab_ipsec_t *this,
	   kernel_ipsec_sa_id_t *id, kernel_ipsec_query_sa_t *data,
	   uint64_t *bytes, uint64_t *packets, time_t *time)
{
	/* no data plane: report "never used", which is the truth here */
	if (bytes)
	{
		*bytes = 0;
	}
	if (packets)
	{
		*packets = 0;
	}
	if (time)
	{
		*time = 0;
	}
	return SUCCESS;
}

METHOD(kernel_ipsec_t, del_sa, status_t, lab_ipsec_t *this,
	   kernel_ipsec_sa_id_t *id, kernel_ipsec_del_sa_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, flush_sas, status_t, lab_ipsec_t *this)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, add_policy, status_t, lab_ipsec_t *this,
	   kernel_ipsec_policy_id_t *id, kernel_ipsec_manage_policy_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, query_policy, status_t, lab_ipsec_t *this,
	   kernel_ipsec_policy_id_t *id, kernel_ipsec_query_policy_t *data,
	   time_t *use_time)
{
	/* FAILED = no usage information, so DPD always probes */
	return FAILED;
}

METHOD(kernel_ipsec_t, del_policy, status_t, lab_ipsec_t *this,
	   kernel_ipsec_policy_id_t *id, kernel_ipsec_manage_policy_t *data)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, flush_policies, status_t, lab_ipsec_t *this)
{
	return SUCCESS;
}

METHOD(kernel_ipsec_t, bypass_socket, bool, lab_ipsec_t *this, int fd,
	   int family)
{
	return TRUE;
}

METHOD(kernel_ipsec_t, enable_udp_decap, bool, lab_ipsec_t *this, int fd,
	   int family, uint16_t port)
{
	/* keep port 4500 a plain UDP socket: IKE with the non-ESP marker still
	 * reaches charon, and no ESP-in-UDP ever arrives in this lab */
	return TRUE;
}

METHOD(kernel_ipsec_t, ipsec_destroy, void, lab_ipsec_t *this)
{
	free(this);
}

static kernel_ipsec_t *lab_ipsec_create()
{
	lab_ipsec_t *this;

	INIT(this,
		.public = {
			.get_features = _get_features,
			.get_spi = _get_spi,
			.get_cpi = _get_cpi,
			.add_sa = _add_sa,
			.update_sa = _update_sa,
			.query_sa = _query_sa,
			.del_sa = _del_sa,
			.flush_sas = _flush_sas,
			.add_policy = _add_policy,
			.query_policy = _query_policy,
			.del_policy = _del_policy,
			.flush_policies = _flush_policies,
			.bypass_socket = _bypass_socket,
			.enable_udp_decap = _enable_udp_decap,
			.destroy = _ipsec_destroy,
		},
		.next_spi = 0xc0000000 | (random() & 0x3fff0000),
		.next_cpi = 0x4000 | (random() & 0x3f00),
	);
	return &this->public;
}

METHOD(plugin_t, get_name, char*, plugin_t *this)
{
	return "lab-fake-kernel";
}

METHOD(plugin_t, get_plugin_features, int, plugin_t *this,
	   plugin_feature_t *features[])
{
	static plugin_feature_t f[] = {
		PLUGIN_CALLBACK(kernel_ipsec_register, lab_ipsec_create),
			PLUGIN_PROVIDE(CUSTOM, "kernel-ipsec"),
	};
	*features = f;
	return countof(f);
}

METHOD(plugin_t, plugin_destroy, void, plugin_t *this)
{
	free(this);
}

plugin_t *lab_fake_kernel_plugin_create()
{
	plugin_t *this;

	INIT(this,
		.get_name = _get_name,
		.get_features = _get_plugin_features,
		.destroy = _plugin_destroy,
	);
	return this;
}
