#include "config/yaml_tree.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <optional>
#include <sstream>

#include "config/text.hpp"

namespace concur::config::detail {
namespace {

class Builder {
 public:
  explicit Builder(const Source &source) : source_(source) {}

  Node build(const YAML::Node &in, const std::string &path) const {
    Node out;
    out.where = locate(in.Mark());
    out.origin = source_.origin;
    switch (in.Type()) {
      case YAML::NodeType::Scalar:
        out.kind = Node::Kind::scalar;
        out.text = in.Scalar();
        break;
      case YAML::NodeType::Sequence:
        out.kind = Node::Kind::list;
        for (const YAML::Node &item : in) {
          out.items.push_back(build(item, path + "[" + std::to_string(out.items.size()) + "]"));
        }
        break;
      case YAML::NodeType::Map:
        out.kind = Node::Kind::map;
        build_entries(in, path, out);
        break;
      default:  // Null, Undefined
        break;
    }
    return out;
  }

 private:
  // Iterates the pairs ourselves: yaml-cpp keeps both of two equal keys in
  // its pair list but lookups see only one, so a duplicate would be ignored.
  void build_entries(const YAML::Node &in, const std::string &path, Node &out) const {
    // A range-for copies each pair; `it->first` would point into a temporary.
    for (const auto &pair : in) {
      const YAML::Node &key = pair.first;
      const Location where = locate(key.Mark());
      if (!key.IsScalar()) {
        fail(where, source_.origin, path.empty() ? "(key)" : path,
             "keys must be plain names, got " + std::string(key.IsNull()  ? "an empty key"
                                                            : key.IsMap() ? "a mapping"
                                                                          : "a list"));
      }
      const std::string name = key.Scalar();
      const std::string key_path = child_path(path, name);
      if (const Entry *first = out.find(name)) {
        std::string message = "duplicate key";
        if (first->where.line > 0)
          message += " (first given at line " + std::to_string(first->where.line) + ")";
        fail(where, source_.origin, key_path, message);
      }
      out.entries.push_back(Entry{name, where, source_.origin, build(pair.second, key_path)});
      // yaml-cpp marks an empty value at the next token, often the next line;
      // the key's line is where the user looks.
      if (out.entries.back().value.kind == Node::Kind::null) out.entries.back().value.where = where;
    }
  }

  Location locate(const YAML::Mark &mark) const {
    // yaml-cpp marks are 0-based, and -1 when unknown.
    return Location{source_.file, source_.has_lines && mark.line >= 0 ? mark.line + 1 : 0};
  }

  const Source &source_;
};

// Counts a stream's documents without building them, and stops at two: that
// is all parse_yaml needs to know. yaml-cpp 0.7's LoadAll never returns on a
// stream such as "," (jbeder/yaml-cpp#1040, fixed upstream in 2024 but not in
// Debian 12's 0.7.0): its parser keeps reporting a new empty document without
// consuming a token, and LoadAll keeps collecting them until memory runs out.
// Found by tests/fuzz/fuzz_config.cpp; the input is in tests/fuzz/regressions.
class DocumentCounter : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark &mark) override {
    if (++documents == 1) first = mark;
    if (documents == 2) second = mark;
  }
  // The parser reported a second document where the first began: it is stuck
  // on a token it cannot place (yaml-cpp#1040), not reading a real document.
  bool stuck() const { return documents == 2 && second.pos == first.pos; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark &, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark &, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark &, const std::string &, YAML::anchor_t,
                const std::string &) override {}
  void OnSequenceStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark &, const std::string &, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  int documents = 0;
  YAML::Mark first, second;
};

// The stream's one document (none for an empty stream); a second one is an
// error at its line.
std::optional<YAML::Node> only_document(const std::string &text, const Source &source,
                                        const std::string &key) {
  std::istringstream stream(text);
  YAML::Parser parser(stream);
  DocumentCounter counter;
  while (counter.documents < 2 && parser.HandleNextDocument(counter)) {
  }
  if (counter.documents > 1) {
    const int line = source.has_lines && counter.second.line >= 0 ? counter.second.line + 1 : 0;
    const size_t at = std::min(text.size(), static_cast<size_t>(std::max(0, counter.second.pos)));
    const std::string near = text.substr(at, std::min<size_t>(12, text.find('\n', at) - at));
    fail(Location{source.file, line}, source.origin, key.empty() ? "(syntax)" : key,
         counter.stuck() ? "not valid YAML near " + quote(near)
                         : "expected one YAML document, got a second");
  }
  if (counter.documents == 0) return std::nullopt;
  return YAML::Load(text);  // one document: parses it into nodes
}

}  // namespace

Node parse_yaml(std::string_view text, const Source &source, const std::string &key) {
  std::optional<YAML::Node> document;
  try {
    document = only_document(std::string(text), source, key);
  } catch (const YAML::ParserException &e) {
    // e.msg is the bare message; what() would repeat "yaml-cpp: error at line".
    const int line = source.has_lines && e.mark.line >= 0 ? e.mark.line + 1 : 0;
    fail(Location{source.file, line}, source.origin, key.empty() ? "(syntax)" : key,
         (source.has_lines ? "" : "invalid YAML value: ") + printable(e.msg));
  } catch (const YAML::Exception &e) {
    fail(Location{source.file, 0}, source.origin, key.empty() ? "(syntax)" : key, printable(e.msg));
  }
  Node root;
  root.where = Location{source.file, 0};
  root.origin = source.origin;
  if (document) root = Builder(source).build(*document, key);
  return root;
}

void fail(const Location &where, const std::string &origin, const std::string &key,
          const std::string &message) {
  const std::string shown = printable(key);  // a key may hold any bytes the file does
  if (origin.empty()) throw ConfigError(where, shown, message);
  throw ConfigError(where, shown, message + " (from --set " + quote(origin) + ")");
}

std::string describe_node(const Node &node) {
  switch (node.kind) {
    case Node::Kind::scalar:
      return quote(node.text);
    case Node::Kind::map:
      return "a mapping";
    case Node::Kind::list:
      return node.items.empty() ? "an empty list" : "a list";
    case Node::Kind::null:
      break;
  }
  return "nothing";
}

}  // namespace concur::config::detail

namespace concur::config {

const Entry *Node::find(std::string_view key) const {
  for (const Entry &entry : entries) {
    if (entry.key == key) return &entry;
  }
  return nullptr;
}

Entry *Node::find(std::string_view key) {
  return const_cast<Entry *>(static_cast<const Node *>(this)->find(key));
}

std::string child_path(const std::string &parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

}  // namespace concur::config
