// Loading a site: its files (one, or a directory of fragments read in
// parallel and merged in name order), each parsed with toml++ after the
// nesting pre-scan, each table handed to its section reader
// (read_sections.hpp), the schema's secret fields redacted from the quoted
// text. The section
// readers and the table reading they share (table_reader.hpp) are apart.
#include "site/loader.hpp"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <toml++/toml.h>
#include <tuple>

#include "io/input_file.hpp"
#include "parallel/parallel_for.hpp"
#include "site/nesting.hpp"
#include "site/read_sections.hpp"
#include "site/table_reader.hpp"

namespace trunk::site {

using namespace reading;

std::string_view to_string(TrunkType t) {
  for (const auto& w : kTrunkTypes)
    if (w.value == t) return w.word;
  return "?";
}
std::string_view to_string(Transport t) {
  for (const auto& w : kTransports)
    if (w.value == t) return w.word;
  return "?";
}
std::string_view to_string(Direction d) {
  for (const auto& w : kDirections)
    if (w.value == d) return w.word;
  return "?";
}
std::string_view to_string(RelayMedia r) {
  for (const auto& w : kRelayMedia)
    if (w.value == r) return w.word;
  return "?";
}

const Trunk* Site::find_trunk(std::string_view name) const {
  for (const auto& t : trunks)
    if (t.name.value == name) return &t;
  return nullptr;
}
bool Site::transport_enabled(Transport t) const {
  if (!info.transports.present) return t == Transport::udp;
  for (const auto& e : info.transports.value)
    if (e.value == t) return true;
  return false;
}

namespace {

// Line `n` (from 1) of `text`, without its line ending; empty past the end.
std::string_view line_of(std::string_view text, std::uint32_t n) {
  std::size_t begin = 0;
  for (std::uint32_t i = 1; i < n && begin != std::string_view::npos; ++i) {
    begin = text.find('\n', begin);
    if (begin != std::string_view::npos) ++begin;
  }
  if (begin == std::string_view::npos || begin > text.size()) return {};
  std::string_view l = text.substr(begin, text.find('\n', begin) - begin);
  if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
  return l;
}

// Where the schema's secret fields (schema::Field::secret) are written in
// `node`, table `table` of the schema ("trunk", then "trunk.auth"), whatever
// the value's type: a password written as an array is as secret as one
// written as a string. The nesting pre-scan bounds the recursion.
void find_secrets(const toml::node& node, const std::string& table,
                  std::vector<SourceRegion>& out) {
  // A route, a tenant, ... holds no secret: not a key of it is looked at.
  if (!schema::may_hold_secrets(table)) return;
  if (const toml::array* a = node.as_array()) {
    for (const auto& e : *a) find_secrets(e, table, out);
    return;
  }
  const toml::table* t = node.as_table();
  if (!t) return;
  for (auto&& [k, v] : *t) {
    const std::string key(k.str());
    const schema::Field* f = schema::find(table, key);
    if (f && f->secret) out.push_back(region(v.source()));
    else if (v.is_table() || v.is_array())
      find_secrets(v, table.empty() ? key : table + "." + key, out);
  }
}

void load_fragment_impl(std::string_view text, const std::string& name, Site& out,
                        diag::Sink& sink, std::map<std::string, SourceRegion>& site_keys,
                        std::vector<SourceRegion>& secrets) {
  out.files.push_back(name);
  // toml++ recurses once per level: refuse a text nested deeper than any
  // site needs before it overflows the stack (site/nesting.hpp).
  if (auto deep = find_too_deep(text)) {
    SourceRegion where;
    where.file = diag::FilePath(name);
    where.line = where.end_line = deep->line;
    where.column = where.end_column = deep->column;
    auto& d = sink.error("nesting-depth",
                         "keys and values nest more than " + std::to_string(kMaxNesting) +
                             " levels deep here",
                         where);
    diag::with_hint(d, "a site nests a few levels ([trunk.auth], dotted keys, inline tables "
                       "and arrays); nothing else in this file was checked");
    return;
  }
  toml::table doc;
  try {
    doc = toml::parse(text, name);
  } catch (const toml::parse_error& e) {
    SourceRegion where = region(e.source());
    where.file = name;
    // The line does not parse, so a secret on it cannot be found by its
    // key: the message may not show what the quoted line hides.
    auto& d = sink.error("toml-syntax",
                         diag::hide_broken_line_text(e.description(), line_of(text, where.line)),
                         where);
    diag::with_hint(d, "the file is not valid TOML; nothing else in it was checked");
    return;
  }
  find_secrets(doc, "", secrets);
  static const std::vector<std::string_view> kTop = {"site",  "proxy",   "tenant", "trunk",
                                                     "route", "inbound", "expect"};
  using Reader = void (*)(const toml::table&, Site&, diag::Sink&);
  static const std::pair<std::string_view, Reader> kArrays[] = {
      {"proxy", read_proxy},     {"tenant", read_tenant}, {"trunk", read_trunk},
      {"route", read_route},     {"inbound", read_inbound}, {"expect", read_expect}};
  for (auto&& [k, v] : doc) {
    std::string_view key = k.str();
    if (key == "site") {
      if (const toml::table* t = v.as_table()) read_site_info(*t, out, sink, site_keys);
      else sink.error("wrong-type", "`site` must be a table ([site])", region(v.source()));
      continue;
    }
    bool known = false;
    for (auto [word, reader] : kArrays) {
      if (word != key) continue;
      known = true;
      const toml::array* a = v.as_array();
      if (!a || !a->is_array_of_tables()) {
        auto& d = sink.error("wrong-type",
                             ticked(key) + " must be an array of tables",
                             region(k.source()));
        diag::with_hint(d, "write each one as [[" + std::string(key) + "]]");
        break;
      }
      for (const auto& e : *a) reader(*e.as_table(), out, sink);
    }
    if (known) continue;
    auto& d = sink.error("unknown-key", "unknown top-level key `" + std::string(key) + "`",
                         region(k.source()));
    std::string near = diag::closest_match(key, kTop);
    diag::with_hint(d, near.empty()
                           ? std::string("a site has [site], [[proxy]], [[tenant]], "
                                         "[[trunk]], [[route]], [[inbound]] and [[expect]]")
                           : "did you mean `" + near + "`?");
  }
}

// One file read and parsed on its own, to be merged in name order.
struct Fragment {
  std::string path;
  std::string text;
  bool readable = false;
  std::string error;  // why it is not readable
  Site site;
  diag::Sink sink;
  std::map<std::string, SourceRegion> site_keys;
  std::vector<SourceRegion> secrets;  // where its secret values are written
};

template <class T>
void append_moved(std::vector<T>& to, std::vector<T>& from) {
  to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

// Appends a fragment to the site: arrays of tables are appended; a [site]
// key already defined by an earlier fragment is an error naming both.
void merge(Fragment& f, Site& out, diag::Sink& sink,
           std::map<std::string, SourceRegion>& site_keys) {
  std::vector<std::pair<SourceRegion, std::string>> keys;
  for (auto& [key, where] : f.site_keys) keys.emplace_back(where, key);
  std::sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) {
    return std::tie(a.first.line, a.first.column) < std::tie(b.first.line, b.first.column);
  });
  for (auto& [where, key] : keys) {
    auto [it, fresh] = site_keys.emplace(key, where);
    if (fresh) continue;
    auto& d = sink.error("duplicate-key", "`site." + key + "` is defined in two places", where);
    diag::with_related(d, it->second, "first defined here");
  }
  SiteInfo& info = f.site.info;
  if (!out.info.where.known()) out.info.where = info.where;
  if (!out.info.name.present && info.name.present) out.info.name = std::move(info.name);
  if (!out.info.transports.present && info.transports.present)
    out.info.transports = std::move(info.transports);
  append_moved(out.proxies, f.site.proxies);
  append_moved(out.tenants, f.site.tenants);
  append_moved(out.trunks, f.site.trunks);
  append_moved(out.routes, f.site.routes);
  append_moved(out.inbound, f.site.inbound);
  append_moved(out.expects, f.site.expects);
  append_moved(out.files, f.site.files);
  sink.append(f.sink);
}

// Parses the fragments (reading each first when `read`) on every core, then
// merges them in order, so the result does not depend on the scheduling.
LoadStatus parse_and_merge(std::vector<Fragment>& fragments, Site& out, diag::Sink& sink,
                           diag::SourceText& sources, bool read) {
  parallel::parallel_for(fragments.size(), 1, [&](std::size_t i) {
    Fragment& f = fragments[i];
    if (read) f.readable = io::read_input(f.path, io::kSiteFile, f.text, f.error);
    if (f.readable) load_fragment_impl(f.text, f.path, f.site, f.sink, f.site_keys, f.secrets);
  });

  // Reserve the whole site first: each fragment is then moved in and freed,
  // so memory peaks at one site, not at the fragments plus a growing copy.
  std::size_t tenants = 0, trunks = 0, routes = 0, inbound = 0, expects = 0;
  for (const auto& f : fragments) {
    tenants += f.site.tenants.size();
    trunks += f.site.trunks.size();
    routes += f.site.routes.size();
    inbound += f.site.inbound.size();
    expects += f.site.expects.size();
  }
  out.tenants.reserve(out.tenants.size() + tenants);
  out.trunks.reserve(out.trunks.size() + trunks);
  out.routes.reserve(out.routes.size() + routes);
  out.inbound.reserve(out.inbound.size() + inbound);
  out.expects.reserve(out.expects.size() + expects);
  std::map<std::string, SourceRegion> site_keys;
  // Every file that cannot be read is named, then nothing is merged.
  bool readable = true;
  for (const Fragment& f : fragments) {
    if (f.readable) continue;
    sink.error("io", f.error, {f.path});
    readable = false;
  }
  if (!readable) return LoadStatus::unreadable;
  for (std::size_t i = 0; i < fragments.size(); ++i) {
    Fragment& f = fragments[i];
    sources.add(f.path, std::move(f.text));
    // Secret values never reach a quoted line, whatever their shape.
    for (const auto& r : f.secrets) sources.redact(r);
    for (const auto& d : f.sink.all())
      if (d.code == "toml-syntax" || d.code == "nesting-depth") sources.mark_broken(d.where);
    merge(f, out, sink, site_keys);
    f = Fragment{};
  }
  return LoadStatus::loaded;
}

}  // namespace

void load_fragment(std::string_view text, const std::string& name, Site& out,
                   diag::Sink& sink) {
  std::map<std::string, SourceRegion> site_keys;
  std::vector<SourceRegion> secrets;  // no quoted text to redact them from
  load_fragment_impl(text, name, out, sink, site_keys, secrets);
}

LoadStatus load_site(const std::filesystem::path& path, Site& out, diag::Sink& sink,
                     diag::SourceText& sources) {
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  auto status = std::filesystem::status(path, ec);
  if (ec && status.type() != std::filesystem::file_type::not_found) {
    // A symbolic link loop, a component that is not a directory, ...
    sink.error("io", "cannot read site: " + ec.message(), {path.string()});
    return LoadStatus::unreadable;
  }
  if (!std::filesystem::exists(status)) {
    bool dangling = std::filesystem::is_symlink(std::filesystem::symlink_status(path, ec));
    auto& d = sink.error("io",
                         dangling ? "cannot read site: a symbolic link to a missing file"
                                  : "cannot read site: no such file or directory",
                         {path.string()});
    diag::with_hint(d, "give the site with -c PATH, or set TRUNK_SITE");
    return LoadStatus::unreadable;
  }
  if (std::filesystem::is_directory(status)) {
    for (auto it = std::filesystem::directory_iterator(path, ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      // Subdirectories are skipped, even one named x.toml. Anything else
      // named *.toml is read, so that a FIFO, a device, a symbolic link
      // loop or a dangling link is reported (io::read_input says which)
      // instead of left out unseen.
      std::error_code type_ec;
      if (it->path().extension() == ".toml" && !it->is_directory(type_ec))
        files.push_back(it->path());
    }
    if (ec) {
      sink.error("io", "cannot list site directory: " + ec.message(), {path.string()});
      return LoadStatus::unreadable;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      sink.error("io", "site directory holds no *.toml files", {path.string()});
      return LoadStatus::unreadable;
    }
  } else {
    files.push_back(path);
  }
  std::vector<Fragment> fragments(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) fragments[i].path = files[i].string();
  return parse_and_merge(fragments, out, sink, sources, /*read=*/true);
}

void load_texts(const std::vector<SiteFile>& files, Site& out, diag::Sink& sink,
                diag::SourceText& sources) {
  std::vector<Fragment> fragments(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    fragments[i].path = files[i].path;
    fragments[i].text = files[i].text;
    fragments[i].readable = true;
  }
  parse_and_merge(fragments, out, sink, sources, /*read=*/false);
}

std::filesystem::path default_site_path() {
  if (const char* env = std::getenv("TRUNK_SITE"); env && *env) return env;
  return "site";
}

}  // namespace trunk::site
