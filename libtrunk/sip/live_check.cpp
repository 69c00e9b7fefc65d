// OPTIONS probe and REGISTER test over sofia-sip's nua (see live_check.hpp).
//
// A Session owns one su_root and one nua agent for the length of a check;
// requests are issued on handles whose magic is the check's own state, and
// the loop is stepped until every check is answered or the deadline passes.
// Responses nta made up itself (a transport error, a timeout) reach the
// handlers with a null `sip`: they count as no answer from the server.
#include "sip/live_check.hpp"

#include <sofia-sip/nua.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/su_wait.h>

#include <algorithm>
#include <functional>
#include <mutex>

#include "sip/digest_answer.hpp"
#include "sip/header_values.hpp"

extern "C" {
// sofia-sip's module logs; silenced so a check prints only its result.
extern su_log_t nua_log[];
extern su_log_t nta_log[];
extern su_log_t tport_log[];
}

namespace trunk::sip {
namespace {

using Clock = std::chrono::steady_clock;

void init_sofia() {
  static std::once_flag once;
  std::call_once(once, [] {
    su_init();
    for (su_log_t* log : {su_log_default, nua_log, nta_log, tport_log})
      su_log_set_level(log, 0);
  });
}

// Responses nta made up itself (a transport error, a DNS failure, a
// timeout) rather than the server's: nta marks those messages with its
// internal flag, 1 << 15 (NTA_INTERNAL_MSG in sofia-sip's nta_internal.h,
// not an installed header).
constexpr unsigned kNtaInternalMsg = 1u << 15;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// One nua agent on its own loop. Events go to `on_event`.
class Session {
 public:
  using Handler = std::function<void(nua_event_t, int status, const char* phrase,
                                     nua_handle_t*, void* hmagic, const sip_t*)>;

  Session(const LiveOptions& options, Handler on_event) : on_event_(std::move(on_event)) {
    init_sofia();
    root_ = su_root_create(nullptr);
    if (!root_) return;
    nua_ = nua_create(root_, &Session::callback, this,
                      NUTAG_URL(URL_STRING_MAKE(options.bind.c_str())),
                      SIPTAG_USER_AGENT_STR(options.user_agent.c_str()),
                      NUTAG_OUTBOUND("no-natify no-validate no-options-keepalive no-outbound"),
                      TAG_NULL());
  }
  Session(const Session&) = delete;  // the nua callback holds `this`
  Session& operator=(const Session&) = delete;

  ~Session() {
    if (nua_) {
      nua_shutdown(nua_);
      auto deadline = Clock::now() + std::chrono::seconds(2);
      while (!shut_down_ && Clock::now() < deadline) su_root_step(root_, 50);
      nua_destroy(nua_);
    }
    if (root_) su_root_destroy(root_);
  }

  bool ok() const { return nua_ != nullptr; }
  nua_t* nua() { return nua_; }

  // Steps the loop until `done()` or the deadline.
  void run_until(Clock::time_point deadline, const std::function<bool()>& done) {
    while (!done()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      su_root_step(root_, static_cast<su_duration_t>(std::min<long>(left.count(), 100)));
    }
  }

 private:
  static void callback(nua_event_t event, int status, char const* phrase, nua_t*,
                       nua_magic_t* magic, nua_handle_t* nh, nua_hmagic_t* hmagic,
                       sip_t const* sip, tagi_t[]) {
    auto* self = static_cast<Session*>(magic);
    if (event == nua_r_shutdown) {
      if (status >= 200) self->shut_down_ = true;
      return;
    }
    // Saving the event is the way to reach its message (and its flags);
    // a saved event is ours to destroy, after the handler has read the
    // phrase and headers that live in it.
    nua_saved_event_t saved[1];
    const bool have_saved = sip && nua_save_event(self->nua_, saved);
    if (have_saved) {
      const nua_event_data_t* data = nua_event_data(saved);
      if (data && data->e_msg && msg_get_flags(data->e_msg, kNtaInternalMsg)) sip = nullptr;
    }
    if (hmagic) self->on_event_(event, status, phrase ? phrase : "", nh, hmagic, sip);
    if (have_saved) nua_destroy_event(saved);
  }

  Handler on_event_;
  su_root_t* root_ = nullptr;
  nua_t* nua_ = nullptr;
  bool shut_down_ = false;
};

// A response nta made up, as words for the report.
std::string local_failure(int status, const char* phrase) {
  return "no answer; the local SIP stack reports " + std::to_string(status) + " " + phrase;
}

std::string route_header(const Peer& p) {
  if (p.proxy_host.empty()) return {};
  Peer hop = p;
  hop.host = p.proxy_host;
  hop.port = p.proxy_port ? p.proxy_port : (p.transport == "tls" ? 5061 : 5060);
  std::string route(1, '<');
  return route.append(hop.uri()).append(";lr>");
}

std::vector<std::string> other_transports(const std::string& transport) {
  std::vector<std::string> out;
  for (const char* t : {"udp", "tcp"})
    if (transport != t) out.push_back(t);
  return out;
}

// One OPTIONS of a probe: its target, its result, and the answer to a
// challenge when the trunk has credentials.
struct PendingProbe {
  std::string uri, route;
  const Credentials* credentials = nullptr;  // null or empty username: none
  ProbeResult result;
  Clock::time_point sent;
  bool done = false;
  bool challenged = false;   // a 401/407 was answered (once: a second one is the result)
  bool ending_held = false;  // the challenged OPTIONS nua holds: its 904 to come
  DigestAnswer digest;

  void send(nua_handle_t* nh, const char* a = nullptr, const char* pa = nullptr) {
    nua_options(nh, NUTAG_URL(URL_STRING_MAKE(uri.c_str())),
                TAG_IF(!route.empty(), SIPTAG_ROUTE_STR(route.c_str())),
                TAG_IF(a, SIPTAG_AUTHORIZATION_STR(a)),
                TAG_IF(pa, SIPTAG_PROXY_AUTHORIZATION_STR(pa)), TAG_END());
  }

  // A 401/407 answered with the credentials, as register-test does: true
  // when the OPTIONS went out again. A challenge that cannot be answered
  // leaves the 401/407 as the probe's result, with the reason.
  bool answer_challenge(nua_handle_t* nh, int status, const sip_t* sip) {
    if (!sip || (status != 401 && status != 407) || challenged || !credentials ||
        credentials->username.empty())
      return false;
    challenged = true;
    if (!digest.answer(sip, credentials->username, credentials->password, "OPTIONS", uri)) {
      result.auth_error = digest.error;
      return false;
    }
    result.auth = digest.used;
    ending_held = true;  // see RegisterExchange::answer
    nua_authenticate(nh, TAG_END());
    auto text = [](const std::string& h) { return h.empty() ? nullptr : h.c_str(); };
    send(nh, text(digest.authorization), text(digest.proxy_authorization));
    return true;
  }
};

// Probes `peers` once over their own transports; `credentials` is empty or
// one per peer.
std::vector<ProbeResult> probe_once(std::span<const Peer> peers,
                                    std::span<const Credentials> credentials,
                                    const LiveOptions& options) {
  std::vector<PendingProbe> pending(peers.size());
  std::size_t answered = 0;
  Session session(options, [&](nua_event_t event, int status, const char* phrase,
                               nua_handle_t* nh, void* hmagic, const sip_t* sip) {
    if (event != nua_r_options || status < 200) return;
    auto* p = static_cast<PendingProbe*>(hmagic);
    if (p->done) return;
    if (!sip && status == 904 && p->ending_held) {
      p->ending_held = false;
      return;
    }
    if (p->answer_challenge(nh, status, sip)) return;
    p->done = true;
    ++answered;
    p->result.phrase = phrase;
    if (sip) {  // the server answered, whatever the code
      p->result.status = ProbeStatus::online;
      p->result.code = status;
      p->result.rtt_ms = ms_since(p->sent);
    } else {
      p->result.status = ProbeStatus::offline;
      p->result.phrase = local_failure(status, phrase);
    }
  });
  if (!session.ok()) {
    std::vector<ProbeResult> out(peers.size());
    for (auto& r : out) r.phrase = "could not start the SIP stack on " + options.bind;
    return out;
  }
  std::vector<nua_handle_t*> handles;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    PendingProbe& p = pending[i];
    p.uri = peers[i].uri();
    p.route = route_header(peers[i]);
    if (i < credentials.size()) p.credentials = &credentials[i];
    nua_handle_t* nh = nua_handle(session.nua(), &p, SIPTAG_TO_STR(p.uri.c_str()), TAG_END());
    handles.push_back(nh);
    p.sent = Clock::now();
    p.send(nh);
  }
  session.run_until(Clock::now() + options.timeout, [&] { return answered == peers.size(); });
  for (auto& p : pending)
    if (!p.done)
      p.result.phrase = "no answer within " + std::to_string(options.timeout.count()) + " ms";
  for (nua_handle_t* nh : handles) nua_handle_destroy(nh);
  std::vector<ProbeResult> out;
  for (auto& p : pending) out.push_back(std::move(p.result));
  return out;
}

// For each peer that got no answer, whether it answers over another
// transport: the transport's name, or "".
std::vector<std::string> answering_transport(std::span<const Peer> peers,
                                             const std::vector<bool>& unanswered,
                                             const LiveOptions& options) {
  std::vector<Peer> tries;
  std::vector<std::size_t> owner;
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (!unanswered[i]) continue;
    for (const auto& t : other_transports(peers[i].transport)) {
      Peer alt = peers[i];
      alt.transport = t;
      tries.push_back(alt);
      owner.push_back(i);
    }
  }
  std::vector<std::string> out(peers.size());
  if (tries.empty()) return out;
  auto results = probe_once(tries, {}, options);
  for (std::size_t k = 0; k < tries.size(); ++k)
    if (results[k].status == ProbeStatus::online && out[owner[k]].empty())
      out[owner[k]] = tries[k].transport;
  return out;
}

// One REGISTER test's exchange: the REGISTER, the challenge answered, the
// Expires: 0 that takes the binding back, and the result they make. The
// handlers run on the session's loop, one event at a time.
class RegisterExchange {
 public:
  enum class Stage { registering, unregistering, done };

  explicit RegisterExchange(const RegisterRequest& request)
      : request_(request),
        domain_(request.domain.empty() ? request.peer.host : request.domain),
        aor_("sip:" + request.username + "@" + domain_),
        registrar_(request.peer.uri()),
        route_(route_header(request.peer)),
        start_(Clock::now()),
        expires_(std::to_string(request.expires)) {}

  const std::string& aor() const { return aor_; }
  Stage stage() const { return stage_; }
  RegisterResult& result() { return result_; }

  // The REGISTER, with the answer to a challenge when `a` or `pa` is set.
  void send_register(nua_handle_t* nh, const char* a = nullptr, const char* pa = nullptr) {
    nua_register(nh, NUTAG_REGISTRAR(URL_STRING_MAKE(registrar_.c_str())),
                 NUTAG_M_USERNAME(request_.username.c_str()),
                 SIPTAG_EXPIRES_STR(expires_.c_str()),
                 TAG_IF(!route_.empty(), SIPTAG_ROUTE_STR(route_.c_str())),
                 TAG_IF(a, SIPTAG_AUTHORIZATION_STR(a)),
                 TAG_IF(pa, SIPTAG_PROXY_AUTHORIZATION_STR(pa)), TAG_END());
  }

  // Every final answer on the handle, and the 904s of challenged requests
  // ended by answer().
  void on_event(nua_event_t event, int status, const char* phrase, nua_handle_t* nh,
                const sip_t* sip) {
    if (status < 200) return;
    if (!sip && status == 904 && waiting_ended_ > 0) {
      --waiting_ended_;
      return;
    }
    if (event == nua_r_register && stage_ == Stage::registering)
      on_register(status, phrase, nh, sip);
    else if (event == nua_r_unregister && stage_ == Stage::unregistering)
      on_unregister(status, nh, sip);
  }

 private:
  // Its Expires: 0 twin, likewise.
  void send_unregister(nua_handle_t* nh, const char* a = nullptr, const char* pa = nullptr) {
    nua_unregister(nh, TAG_IF(!route_.empty(), SIPTAG_ROUTE_STR(route_.c_str())),
                   TAG_IF(a, SIPTAG_AUTHORIZATION_STR(a)),
                   TAG_IF(pa, SIPTAG_PROXY_AUTHORIZATION_STR(pa)), TAG_END());
  }

  // The REGISTER (or its Expires: 0 twin) again, answering the challenge
  // in `sip`; false when it holds none that can be answered.
  bool answer(nua_handle_t* nh, const sip_t* sip, bool unregister) {
    if (!digest_.answer(sip, request_.username, request_.password, "REGISTER", registrar_))
      return false;
    if (!unregister) result_.auth = digest_.used;
    auto text = [](const std::string& h) { return h.empty() ? nullptr : h.c_str(); };
    // nua holds the challenged request, waiting for credentials, and
    // queues a new REGISTER behind it: an authenticate with none ends it
    // (a local 904, ignored in on_event), then the request goes out again.
    ++waiting_ended_;
    nua_authenticate(nh, TAG_END());
    if (unregister)
      send_unregister(nh, text(digest_.authorization), text(digest_.proxy_authorization));
    else send_register(nh, text(digest_.authorization), text(digest_.proxy_authorization));
    return true;
  }

  void finish(RegisterStatus status) {
    result_.status = status;
    stage_ = Stage::done;
  }

  void on_register(int status, const char* phrase, nua_handle_t* nh, const sip_t* sip) {
    RegisterResult& r = result_;
    if (!sip) {  // made up here: a transport error or a timeout
      r.status = RegisterStatus::no_response;
      r.phrase = local_failure(status, phrase);
      stage_ = Stage::done;
      return;
    }
    r.code = status;
    r.phrase = phrase;
    if (status == 401 || status == 407) return on_challenge(nh, sip);
    r.rtt_ms = ms_since(start_);
    if (status >= 200 && status < 300) {
      r.status = RegisterStatus::registered;
      r.granted_expires = expires_of(sip);
      if (request_.keep) {
        stage_ = Stage::done;
      } else {
        stage_ = Stage::unregistering;
        send_unregister(nh);
      }
      return;
    }
    finish(register_status(status, sent_credentials_));
  }

  void on_challenge(nua_handle_t* nh, const sip_t* sip) {
    ++result_.challenges;
    if (sent_credentials_ && !challenge_stale(sip)) return finish(RegisterStatus::auth_failed);
    // Stale nonces without end.
    if (result_.challenges > 3) return finish(RegisterStatus::auth_failed);
    // A challenge this client cannot answer: say why.
    if (!answer(nh, sip, false)) {
      result_.auth_error = digest_.error;
      return finish(RegisterStatus::rejected);
    }
    sent_credentials_ = true;
  }

  void on_unregister(int status, nua_handle_t* nh, const sip_t* sip) {
    if (sip && (status == 401 || status == 407) && !unregister_sent_credentials_) {
      unregister_sent_credentials_ = true;
      if (answer(nh, sip, true)) return;
    }
    result_.unregister_code = sip ? status : 0;
    result_.unregistered = sip && status >= 200 && status < 300;
    stage_ = Stage::done;
  }

  const RegisterRequest& request_;
  const std::string domain_, aor_, registrar_, route_;
  const Clock::time_point start_;
  const std::string expires_;
  DigestAnswer digest_;
  Stage stage_ = Stage::registering;
  bool sent_credentials_ = false;
  bool unregister_sent_credentials_ = false;
  int waiting_ended_ = 0;  // challenged requests ended by answer(): their 904s to come
  RegisterResult result_;
};

}  // namespace

std::string Peer::uri() const {
  std::string h = host.find(':') != std::string::npos && host.front() != '['
                      ? "[" + host + "]" : host;
  return "sip:" + h + ":" + std::to_string(port) + ";transport=" + transport;
}

std::string_view to_string(ProbeStatus s) {
  switch (s) {
    case ProbeStatus::online: return "online";
    case ProbeStatus::offline: return "offline";
    case ProbeStatus::transport_inconsistent: return "transport-inconsistent";
  }
  return "offline";
}

std::vector<ProbeResult> probe(std::span<const Peer> peers, const LiveOptions& options) {
  return probe(peers, {}, options);
}

std::vector<ProbeResult> probe(std::span<const Peer> peers,
                               std::span<const Credentials> credentials,
                               const LiveOptions& options) {
  auto results = probe_once(peers, credentials, options);
  if (!options.try_other_transports) return results;
  std::vector<bool> unanswered;
  for (const auto& r : results) unanswered.push_back(r.status != ProbeStatus::online);
  auto other = answering_transport(peers, unanswered, options);
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (other[i].empty()) continue;
    results[i].status = ProbeStatus::transport_inconsistent;
    results[i].answered_over = other[i];
  }
  return results;
}

RegisterResult register_test(const RegisterRequest& request, const LiveOptions& options) {
  using Stage = RegisterExchange::Stage;
  RegisterExchange exchange(request);
  Session session(options, [&](nua_event_t event, int status, const char* phrase,
                               nua_handle_t* nh, void*, const sip_t* sip) {
    exchange.on_event(event, status, phrase, nh, sip);
  });
  RegisterResult& r = exchange.result();
  if (!session.ok()) {
    r.phrase = "could not start the SIP stack on " + options.bind;
    return r;
  }
  // hmagic must be non-null for events to reach the handler.
  nua_handle_t* nh = nua_handle(session.nua(), &exchange, SIPTAG_TO_STR(exchange.aor().c_str()),
                                SIPTAG_FROM_STR(exchange.aor().c_str()), TAG_END());
  exchange.send_register(nh);
  // Registering may take a challenge round trip: the timeout covers each
  // stage rather than the whole exchange.
  auto deadline = Clock::now() + options.timeout;
  session.run_until(deadline, [&] { return exchange.stage() != Stage::registering; });
  if (exchange.stage() == Stage::registering) {
    r.status = RegisterStatus::no_response;
    r.phrase = "nothing within " + std::to_string(options.timeout.count()) + " ms";
  } else if (exchange.stage() == Stage::unregistering) {
    session.run_until(Clock::now() + options.timeout,
                      [&] { return exchange.stage() == Stage::done; });
  }
  nua_handle_destroy(nh);

  if (r.status == RegisterStatus::no_response && options.try_other_transports) {
    const Peer peers[] = {request.peer};
    auto other = answering_transport(peers, {true}, options);
    if (!other[0].empty()) {
      r.status = RegisterStatus::transport_inconsistent;
      r.answered_over = other[0];
    }
  }
  return r;
}

}  // namespace trunk::sip
