#include "crawl/cbor.hpp"

namespace concur::crawl::cbor {
namespace {

using nlohmann::json;

// A first pass over the bytes that builds nothing: it stops nlohmann's reader
// (by returning false) before it recurses past kMaxDepth, and before the DOM
// builder meets a declared length it refuses by throwing even when asked not
// to (an array of 2^60 elements in a few bytes).
class Shape final : public nlohmann::json_sax<json> {
 public:
  explicit Shape(size_t size) : size_(size) {}
  std::string why;

  bool null() override { return true; }
  bool boolean(bool) override { return true; }
  bool number_integer(number_integer_t) override { return true; }
  bool number_unsigned(number_unsigned_t) override { return true; }
  bool number_float(number_float_t, const string_t &) override { return true; }
  bool string(string_t &) override { return true; }
  bool binary(binary_t &) override { return true; }
  bool key(string_t &) override { return true; }
  bool start_object(std::size_t n) override { return open(n, 2); }
  bool start_array(std::size_t n) override { return open(n, 1); }
  bool end_object() override { return close(); }
  bool end_array() override { return close(); }
  bool parse_error(std::size_t, const std::string &, const json::exception &e) override {
    why = e.what();
    return false;
  }

 private:
  static constexpr size_t kIndefinite = static_cast<size_t>(-1);
  size_t size_;
  int depth_ = 0;

  // Each element takes at least `bytes_each` bytes of the input.
  bool open(size_t elements, size_t bytes_each) {
    if (++depth_ > kMaxDepth) {
      why = "nested deeper than " + std::to_string(kMaxDepth);
      return false;
    }
    if (elements != kIndefinite && elements > size_ / bytes_each) {
      why = "declares " + std::to_string(elements) + " elements in " + std::to_string(size_) +
            " bytes";
      return false;
    }
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
};

}  // namespace

json parse(std::string_view bytes) {
  Shape shape(bytes.size());
  if (!json::sax_parse(bytes.begin(), bytes.end(), &shape, json::input_format_t::cbor, true))
    throw Error("malformed CBOR: " + (shape.why.empty() ? std::string("stopped") : shape.why));
  json j = json::from_cbor(bytes, true, false);
  if (j.is_discarded()) throw Error("malformed CBOR");
  return j;
}

const json &array(const json &j) {
  if (!j.is_array()) throw Error(std::string("expected an array, found ") + j.type_name());
  return j;
}

std::vector<char> flags(const json &j) {
  std::vector<char> out;
  for (const auto &v : array(j)) {
    const int flag = integer<int>(v);
    if (flag != 0 && flag != 1) throw Error("a flag of " + std::to_string(flag));
    out.push_back(static_cast<char>(flag));
  }
  return out;
}

}  // namespace concur::crawl::cbor
