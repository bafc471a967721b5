#include "engine/tokenizer/tokenizer_json_reader.h"

#include "engine/tokenizer/model_builder.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

// SAX handler: a DOM builder (like nlohmann's own) that diverts model.vocab/model.merges.
class Reader : public nlohmann::json_sax<json> {
 public:
  explicit Reader(TokenizerJson& out) : out_(out) {}

  const std::string& error() const { return error_; }

  bool null() override { return Value(nullptr); }
  bool boolean(bool v) override { return Value(v); }
  bool number_integer(number_integer_t v) override {
    if (mode_ == Mode::kVocab) return VocabEntry(v);
    return Value(v);
  }
  bool number_unsigned(number_unsigned_t v) override {
    if (mode_ == Mode::kVocab) {
      return VocabEntry(v > INT64_MAX ? -1 : static_cast<int64_t>(v));
    }
    return Value(v);
  }
  bool number_float(number_float_t v, const string_t&) override { return Value(v); }
  bool binary(binary_t&) override { return Fail("binary values are not JSON"); }
  bool string(string_t& v) override {
    if (mode_ == Mode::kMerges) return MergeLine(v);
    if (mode_ == Mode::kMergePair) return MergePart(v);
    return Value(std::move(v));
  }

  bool key(string_t& k) override {
    key_ = std::move(k);
    return true;
  }

  bool start_object(std::size_t) override {
    if (mode_ != Mode::kTree) return Fail("model.vocab or model.merges has a nested object");
    if (AtModelMember("vocab")) {
      mode_ = Mode::kVocab;
      return true;
    }
    return Open(json::object());
  }
  bool end_object() override {
    if (mode_ == Mode::kVocab) {
      mode_ = Mode::kTree;
      return true;
    }
    return Close();
  }
  bool start_array(std::size_t) override {
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kMergePair;
      pair_parts_ = 0;
      return true;
    }
    if (mode_ != Mode::kTree) return Fail("model.vocab or model.merges has a nested array");
    if (AtModelMember("merges")) {
      mode_ = Mode::kMerges;
      return true;
    }
    return Open(json::array());
  }
  bool end_array() override {
    if (mode_ == Mode::kMergePair) {
      if (pair_parts_ != 2) return Fail("a merge in model.merges is not a pair of tokens");
      mode_ = Mode::kMerges;
      return true;
    }
    if (mode_ == Mode::kMerges) {
      mode_ = Mode::kTree;
      return true;
    }
    return Close();
  }

  bool parse_error(std::size_t position, const std::string&,
                   const nlohmann::detail::exception& e) override {
    if (error_.empty()) {
      error_ = "invalid JSON at byte " + std::to_string(position) + ": " + e.what();
    }
    return false;
  }

 private:
  enum class Mode { kTree, kVocab, kMerges, kMergePair };
  static constexpr size_t kMaxDepth = 256;

  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message);
    return false;
  }

  // True when the container about to open is root["model"][member].
  bool AtModelMember(std::string_view member) const {
    return stack_.size() == 2 && stack_[1]->is_object() && path_.size() == 2 &&
           path_[1] == "model" && key_ == member;
  }

  json* Insert(json&& v) {
    if (stack_.empty()) {
      out_.rest = std::move(v);
      return &out_.rest;
    }
    json& top = *stack_.back();
    if (top.is_array()) {
      top.push_back(std::move(v));
      return &top.back();
    }
    json& slot = top[key_];
    slot = std::move(v);
    return &slot;
  }

  bool Value(json&& v) {
    if (mode_ != Mode::kTree)
      return Fail("model.vocab or model.merges has a value of the wrong type");
    Insert(std::move(v));
    return true;
  }

  bool Open(json&& container) {
    // Real files nest a few levels; a bound keeps hostile input from exhausting memory.
    if (stack_.size() >= kMaxDepth) return Fail("JSON nested deeper than 256 levels");
    const bool in_object = !stack_.empty() && stack_.back()->is_object();
    path_.push_back(in_object ? key_ : std::string());
    stack_.push_back(Insert(std::move(container)));
    return true;
  }

  bool Close() {
    stack_.pop_back();
    path_.pop_back();
    return true;
  }

  bool VocabEntry(int64_t id) {
    out_.vocab.emplace_back(std::move(key_), id);
    return true;
  }

  std::pair<uint32_t, uint32_t> Store(std::string_view s) {
    const auto offset = static_cast<uint32_t>(out_.merge_text.size());
    out_.merge_text.append(s);
    return {offset, static_cast<uint32_t>(s.size())};
  }

  bool MergeLine(const std::string& line) {
    auto merge = SplitMergeLine(line, out_.merges.size());
    if (!merge.ok()) return Fail(merge.status().message());
    auto [lo, ll] = Store(merge->left);
    auto [ro, rl] = Store(merge->right);
    out_.merges.push_back({lo, ll, ro, rl});
    return true;
  }

  bool MergePart(const std::string& part) {
    if (pair_parts_ >= 2) return Fail("a merge in model.merges has more than two tokens");
    auto [offset, len] = Store(part);
    if (pair_parts_ == 0) {
      out_.merges.push_back({offset, len, 0, 0});
    } else {
      out_.merges.back().right_offset = offset;
      out_.merges.back().right_len = len;
    }
    ++pair_parts_;
    return true;
  }

  TokenizerJson& out_;
  std::vector<json*> stack_;
  std::vector<std::string> path_;  // the key each open container has in its parent
  std::string key_;
  std::string error_;
  Mode mode_ = Mode::kTree;
  int pair_parts_ = 0;
};

}  // namespace

Result<TokenizerJson> ReadTokenizerJson(std::string_view text) {
  TokenizerJson out;
  Reader reader(out);
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &reader);
  } catch (const std::exception& e) {
    return Corrupt(std::string("invalid JSON: ") + e.what());
  }
  if (!ok) {
    return Corrupt(reader.error().empty() ? "invalid JSON" : reader.error());
  }
  if (out.merge_text.size() > UINT32_MAX) return Corrupt("model.merges is too large");
  return out;
}

}  // namespace hfd::tok
