// The Kamailio 5.6 script that emit_kamailio() fills in: the routing logic,
// kept apart from the code that computes the site's data so that the whole
// script can be read top to bottom. @NAME@ marks a value kamailio.cpp puts
// in; `#!ifdef WITH_DMQ` blocks are Kamailio's own preprocessor, on when
// the emitted file defines WITH_DMQ.
#include "proxy/kamailio_script.hpp"

namespace trunk::proxy {

const char* const kKamailioScript = R"KAMAILIO(#!KAMAILIO
#
# Kamailio 5.6 configuration for the trunkline site "@SITE@"
# (site digest @DIGEST@), written by `dialplan-compile --emit kamailio`.
# Do not edit: change the site and emit again. See trunkline-deploy(7).
#
# What it does, per request:
#   - admits only the site's trunks: their hosts and associated_ips (with
#     the port where verify_port), from @ADDRESS_FILE@;
#     anything else gets 403 before trunkd is asked;
#   - asks trunkd (dispatcher set 1, round robin, probed with OPTIONS) where
#     each INVITE goes; a trunkd that does not answer within 1 s is taken
#     out and the next one asked;
#   - follows trunkd's 302: each Contact in q order, with the number,
#     Request-URI parameters, caller ID, next hop and tel: forms it carries;
#   - fails over to the next Contact on the answers the Contact's trunk
#     lists (failover-on, the site's failover_on), never on others;
#   - counts concurrent calls per trunk in dialog profiles: a trunk at its
#     max-calls (its limits.inbound or limits.outbound) or max-total
#     (limits.total) is skipped; with none left the call gets
#     503 Service Unavailable (maximum channels reached ...);
#   - skips a trunk whose host stopped answering OPTIONS (dispatcher set 2,
#     for trunks with keepalive.options = true).
# Data files are reloaded without a restart:
#   kamcmd -s @CTL@ permissions.addressReload
#   kamcmd -s @CTL@ dispatcher.reload

@DEFINES@
debug=2
log_stderror=no
log_facility=LOG_LOCAL0
log_prefix="{$mt $hdr(CSeq) $ci} "
fork=yes
children=@CHILDREN@
auto_aliases=no
server_signature=no
sip_warning=0
tcp_connection_lifetime=3605
@LISTEN@
mpath="/usr/lib/x86_64-linux-gnu/kamailio/modules/"

loadmodule "ctl.so"
loadmodule "tm.so"
loadmodule "tmx.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "sanity.so"
loadmodule "siputils.so"
loadmodule "textops.so"
loadmodule "xlog.so"
loadmodule "permissions.so"
loadmodule "dispatcher.so"
#!ifdef WITH_DMQ
loadmodule "dmq.so"
#!endif
loadmodule "dialog.so"
loadmodule "uac.so"

modparam("ctl", "binrpc", "@CTL@")

# A trunk that sends no provisional answer within 4 s is failed over (as a
# 408); one that rings may ring for two minutes.
modparam("tm", "fr_timer", 4000)
modparam("tm", "fr_inv_timer", 120000)

modparam("rr", "append_fromtag", 1)

# Group 1: the trunks (tag: the trunk's name); group 2: the DMQ nodes.
modparam("permissions", "address_file", "@ADDRESS_FILE@")

# Set 1: trunkd; set 2: the trunks. Flag 8 (probing) on what is probed;
# mode 3 probes those all the time, the others are always taken as up.
modparam("dispatcher", "list_file", "@DISPATCHER_FILE@")
# Flag 2: failover. Without it ds_select_dst keeps no other trunkd for
# ds_next_dst, and ds_mark_dst does nothing ("failover support disabled"):
# every call sent to a trunkd that had just died got 503.
modparam("dispatcher", "flags", 2)
modparam("dispatcher", "ds_ping_interval", @PING_INTERVAL@)
modparam("dispatcher", "ds_probing_mode", 3)
modparam("dispatcher", "ds_probing_threshold", 2)
modparam("dispatcher", "ds_inactive_threshold", 1)
# Any answer but a failing one means the destination is up: a 404 or 405 to
# OPTIONS is an answer. Not 408: that is what tm reports when nothing
# answered at all (with "class=4" a dead trunk never went offline).
modparam("dispatcher", "ds_ping_reply_codes", "class=2;class=3;code=400;code=401;code=403;code=404;code=405;code=406;code=407;code=415;code=420;code=480;code=481;code=483;code=484;code=486;code=488;code=489;code=501")
modparam("dispatcher", "ds_ping_from", "@PING_FROM@")

#!ifdef WITH_DMQ
# The other nodes of this deployment; dialogs, and with them the profiles'
# counts, are replicated to them.
modparam("dmq", "server_address", "@DMQ_SELF@")
@DMQ_PEERS@
modparam("dmq", "multi_notify", 1)
# One worker: a dialog's replicated steps (created, then its profiles and
# state) must be applied in the order they were sent. Two workers took
# them in parallel, and a peer now and then missed a call in a profile,
# so a shared limit let one call too many through.
modparam("dmq", "num_workers", 1)
modparam("dialog", "enable_dmq", 1)
#!endif
# Concurrent calls per trunk: inbound, outbound, and both.
modparam("dialog", "profiles_with_value", "trunk_in; trunk_out; trunk")
modparam("dialog", "default_timeout", 43200)

# The From and To a Contact changes are put back in what goes to the caller.
modparam("uac", "restore_mode", "auto")

request_route {
	if (!mf_process_maxfwd_header("10")) {
		sl_send_reply("483", "Too Many Hops");
		exit;
	}
	if (!sanity_check("17895", "7")) {
		xlog("L_NOTICE", "dropped a malformed $rm from $si:$sp\n");
		exit;
	}
	# trunkd takes the caller's address from the Via this proxy records:
	# always record the port too, whatever the caller asked.
	force_rport();
#!ifdef WITH_DMQ
	if (is_method("KDMQ") && $Rp == @DMQ_PORT@) {
		if (!allow_source_address("2")) {
			sl_send_reply("403", "Forbidden (not a DMQ node of this deployment)");
			exit;
		}
		dmq_handle_message();
		exit;
	}
#!endif
	if (has_totag()) {
		route(WITHINDLG);
		exit;
	}
	if (is_method("CANCEL")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	t_check_trans();
	if (!allow_source_address("1")) {
		xlog("L_NOTICE", "refused $rm from $si:$sp: not a trunk of this site\n");
		sl_send_reply("403", "Forbidden (not a trunk of this site)");
		exit;
	}
	if (is_method("OPTIONS")) {
		sl_send_reply("200", "OK");
		exit;
	}
	if (!is_method("INVITE")) {
		sl_send_reply("405", "Method Not Allowed");
		exit;
	}
	record_route();
	dlg_manage();
	route(ASK_TRUNKD);
}

route[WITHINDLG] {
	if (loose_route()) {
		if (!t_relay()) sl_reply_error();
		exit;
	}
	if (is_method("ACK")) {
		if (t_check_trans()) t_relay();
		exit;
	}
	sl_send_reply("404", "Not Found (no dialog here)");
}

route[ASK_TRUNKD] {
	if (!ds_select_dst("@TRUNKD_SET@", "4")) {
		xlog("L_ERR", "no trunkd is up: refusing the call\n");
		send_reply("503", "Service Unavailable (no trunkd answers)");
		exit;
	}
	route(TRUNKD_BRANCH);
	if (!t_relay()) sl_reply_error();
	exit;
}

# What every request to a trunkd carries: its 1 s answer time, and the
# routes that read its 302 and take a silent one out.
route[TRUNKD_BRANCH] {
	t_set_fr(0, 1000);
	t_on_reply("TRUNKD_REPLY");
	t_on_failure("TRUNKD_ANSWER");
}

# The 302's Contacts, kept with the transaction: $avp(contact)[0] is the
# first to try.
onreply_route[TRUNKD_REPLY] {
	if ($rs != 302) return;
	$(avp(contact)[*]) = $null;
	$var(i) = $hdrc(Contact) - 1;
	while ($var(i) >= 0) {
		$avp(contact) = $(hdr(Contact)[$var(i)]);
		$var(i) = $var(i) - 1;
	}
	$avp(direction) = $hdr(X-Direction);
}

failure_route[TRUNKD_ANSWER] {
	if (t_is_canceled()) exit;
	if (t_check_status("302")) {
		route(NEXT_CONTACT);
		exit;
	}
	if (t_branch_timeout() || t_check_status("5[0-9][0-9]")) {
		# This trunkd is gone or failing: out until it answers OPTIONS again.
		xlog("L_WARN", "trunkd $du did not answer ($T_reply_code): asking the next\n");
		ds_mark_dst("ip");
		if (ds_next_dst()) {
			route(TRUNKD_BRANCH);
			t_relay();
			exit;
		}
		t_reply("503", "Service Unavailable (no trunkd answers)");
	}
	# Any other answer is trunkd's refusal, with its reason: it goes back.
}

route[NEXT_CONTACT] {
	while ($(avp(contact)[0]) != $null) {
		$var(c) = $(avp(contact)[0]);
		$(avp(contact)[0]) = $null;
		route(TRY_CONTACT);
	}
	if ($avp(tried) != $null) return;
	# t_reply takes its reason as text or as one variable, never as a
	# format: the trunk's name goes in through $var(reason).
	if ($avp(full) != $null) {
		$var(reason) = "Service Unavailable (maximum channels reached: trunk " + $avp(full) + ")";
		t_reply("503", "$var(reason)");
		exit;
	}
	if ($avp(offline) != $null) {
		$var(reason) = "Service Unavailable (trunk " + $avp(offline) + " is offline)";
		t_reply("503", "$var(reason)");
		exit;
	}
}

# Tries the Contact in $var(c); returns when it cannot be used.
route[TRY_CONTACT] {
	$var(uri) = $(var(c){tobody.uri});
	$var(p) = $(var(c){tobody.params});
	$var(trunk) = $(var(p){param.value,trunk});
	$var(next) = "sip:" + $(var(uri){uri.host}) + ":" + $(var(uri){uri.port});
	if ($(var(uri){uri.transport}) != "") {
		$var(next) = $var(next) + ";transport=" + $(var(uri){uri.transport});
	}
	if ($avp(direction) == "outbound" && !ds_is_active("@TRUNK_SET@", "$var(next)")) {
		xlog("L_NOTICE", "trunk $var(trunk) is offline (no answer to OPTIONS): next Contact\n");
		$avp(offline) = $var(trunk);
		return;
	}
	$var(max) = $(var(p){param.value,max-calls});
	if ($var(max) != "") {
		if ($avp(direction) == "inbound") {
			get_profile_size("trunk_in", "$var(trunk)", "$var(n)");
		} else {
			get_profile_size("trunk_out", "$var(trunk)", "$var(n)");
		}
		if ($var(n) >= $(var(max){s.int})) {
			xlog("L_NOTICE", "trunk $var(trunk) holds $var(n) $avp(direction) calls (max-calls=$var(max)): next Contact\n");
			$avp(full) = $var(trunk);
			return;
		}
	}
	$var(max) = $(var(p){param.value,max-total});
	if ($var(max) != "") {
		get_profile_size("trunk", "$var(trunk)", "$var(n)");
		if ($var(n) >= $(var(max){s.int})) {
			xlog("L_NOTICE", "trunk $var(trunk) holds $var(n) calls (max-total=$var(max)): next Contact\n");
			$avp(full) = $var(trunk);
			return;
		}
	}
	$ru = $var(uri);
	$du = $null;
	$avp(number) = $rU;
	$var(hop) = $(var(p){param.value,next-hop}{s.unquote});
	if ($var(hop) != "") $du = $var(hop);
	if ($(var(p){param.in,tel-ruri}) == 1) {
		if ($du == $null) $du = $var(next);
		$ru = "tel:" + $avp(number);
	}
	$avp(tel_to) = $(var(p){param.in,tel-to});
	$avp(caller_id) = $(var(p){param.value,caller-id}{s.unquote});
	$avp(failover_on) = $(var(p){param.value,failover-on}{s.unquote});
	$avp(trunk) = $var(trunk);
	if ($avp(direction) == "inbound") {
		set_dlg_profile("trunk_in", "$var(trunk)");
	} else {
		set_dlg_profile("trunk_out", "$var(trunk)");
	}
	set_dlg_profile("trunk", "$var(trunk)");
	t_on_branch("APPLY_CONTACT");
	t_on_failure("TRUNK_ANSWER");
	xlog("L_DBG", "$avp(direction) call to $ru via trunk $var(trunk)\n");
	if (t_relay()) {
		$avp(tried) = 1;
		exit;
	}
	route(RELEASE_TRUNK);
}

# Per branch: what the Contact says of From and To.
branch_route[APPLY_CONTACT] {
	if ($avp(caller_id) != $null && $avp(caller_id) != "") {
		uac_replace_from("sip:$avp(caller_id)@$fd");
	}
	if ($avp(tel_to) == 1) uac_replace_to("tel:$avp(number)");
}

route[RELEASE_TRUNK] {
	if ($avp(direction) == "inbound") {
		unset_dlg_profile("trunk_in", "$avp(trunk)");
	} else {
		unset_dlg_profile("trunk_out", "$avp(trunk)");
	}
	unset_dlg_profile("trunk", "$avp(trunk)");
}

failure_route[TRUNK_ANSWER] {
	if (t_is_canceled()) exit;
	route(RELEASE_TRUNK);
	if ($avp(failover_on) != $null && in_list("$T_reply_code", "$avp(failover_on)", ",")) {
		xlog("L_NOTICE", "trunk $avp(trunk) answered $T_reply_code: next Contact\n");
		route(NEXT_CONTACT);
	}
	# Any other answer is the callee's: it goes back to the caller.
}
)KAMAILIO";

}  // namespace trunk::proxy
