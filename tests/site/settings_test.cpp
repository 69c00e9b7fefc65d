// KEY=VALUE parsing for trunkctl add --set and set: values by the key's
// type, refused keys, and messages that never repeat a value.
#include <doctest/doctest.h>

#include "site/settings.hpp"

using trunk::site::parse_setting;
using trunk::site::Setting;
using trunk::site::SettingError;

namespace {

std::string toml_of(const char* arg) {
  Setting s;
  SettingError e;
  REQUIRE_MESSAGE(parse_setting(arg, s, e), e.message);
  return s.key + " = " + s.toml;
}

SettingError refused(const char* arg) {
  Setting s;
  SettingError e;
  CHECK_FALSE(parse_setting(arg, s, e));
  return e;
}

}  // namespace

TEST_CASE("values are written by the key's type") {
  CHECK(toml_of("port=5080") == "port = 5080");
  CHECK(toml_of("limits.total=40") == "limits.total = 40");
  CHECK(toml_of("verify_port=true") == "verify_port = true");
  CHECK(toml_of("transport=tcp") == "transport = \"tcp\"");
  CHECK(toml_of("host=sip.example") == "host = \"sip.example\"");
  CHECK(toml_of("request_uri_params=user=phone") == "request_uri_params = \"user=phone\"");
  CHECK(toml_of("caller_id=say \"hi\"") == "caller_id = \"say \\\"hi\\\"\"");
  CHECK(toml_of("associated_ips=203.0.113.10, 203.0.113.16/28") ==
        "associated_ips = [\"203.0.113.10\", \"203.0.113.16/28\"]");
  CHECK(toml_of("associated_ips=") == "associated_ips = []");
  CHECK(toml_of("auth.password_env=XYZ_PASSWORD") == "auth.password_env = \"XYZ_PASSWORD\"");
}

TEST_CASE("a value of the wrong type is refused, naming the key") {
  CHECK(refused("port=50x").message == "`port` takes a whole number");
  CHECK(refused("port=").message == "`port` takes a whole number");
  CHECK(refused("strip_plus=yes").message == "`strip_plus` takes true or false");
  CHECK(refused("port 5080").message == "expected KEY=VALUE");
}

TEST_CASE("an unknown key gets a did-you-mean hint") {
  SettingError e = refused("prot=5060");
  CHECK(e.message == "unknown key `prot`");
  CHECK(e.hint == "did you mean `port`?");
  CHECK(refused("interval=60").hint == "did you mean `keepalive.interval`?");
}

TEST_CASE("name, tenant and passwords are not settings") {
  CHECK(refused("name=B").message == "the trunk's name is not changed with a setting");
  CHECK(refused("tenant=acme").message == "assignments are not settings");
  for (const char* arg : {"auth.password=hunter2-secret", "auth.pasword=hunter2-secret",
                          "password=hunter2-secret", "auth.secret=hunter2-secret"}) {
    SettingError e = refused(arg);
    CHECK(e.message == "trunkctl does not write passwords into the site");
    CHECK(e.message.find("hunter2") == std::string::npos);
    CHECK(e.hint.find("hunter2") == std::string::npos);
  }
}
