#include "engine/tokenizer/hf_config.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "engine/tokenizer/hf_normalizer.h"
#include "engine/tokenizer/hf_word_model.h"
#include "engine/tokenizer/model_builder.h"
#include "engine/tokenizer/pre_tokenizer.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {
namespace {

using json = nlohmann::json;

// The text of a token given as "text" or {"content": "text"} (tokenizer_config.json).
std::optional<std::string> TokenContent(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_string()) return v->get<std::string>();
  if (v->is_object()) return StringMember(*v, "content");
  return std::nullopt;
}

struct PipelineFlags {
  bool byte_level = false;
  bool sentence_piece = false;
  std::optional<SpacePrefix> metaspace_prefix;  // a Metaspace pre-tokenizer's, if any
  bool normalizer_spaces = false;               // Prepend/Replace normalizers write "▁"
  PreTokenizerPipeline splits;                  // the splitting pre-tokenizers, in order
};

bool IsSpaceMarkPrepend(const json& step) {
  return TypeOf(step) == "Prepend" && StringMember(step, "prepend") == std::string(kSpaceMark);
}

bool IsSpaceMarkReplace(const json& step) {
  const json* pattern = Member(step, "pattern");
  return TypeOf(step) == "Replace" && StringMember(step, "content") == std::string(kSpaceMark) &&
         pattern && StringMember(*pattern, "String") == " ";
}

// NFC and SentencePiece's "▁" steps alone keep the Tokenizer's fast paths; any other
// step makes the whole list run as a Normalizer.
Status ReadNormalizers(const json& doc, TokenizerModel& m, PipelineFlags& f) {
  std::vector<const json*> steps;
  Flatten(Member(doc, "normalizer"), "normalizers", steps);
  bool general = false;
  for (const json* step : steps) {
    if (TypeOf(*step) == "NFC") {
      m.nfc = true;
    } else if (IsSpaceMarkPrepend(*step)) {
      m.space_prefix = SpacePrefix::kAlways;
      f.sentence_piece = true;
      f.normalizer_spaces = true;
    } else if (IsSpaceMarkReplace(*step)) {
      f.sentence_piece = true;
      f.normalizer_spaces = true;
    } else {
      general = true;
    }
  }
  if (!general) return Status::Ok();
  m.nfc = false;
  m.space_prefix = SpacePrefix::kNone;
  HFD_ASSIGN_OR_RETURN(m.normalizer, ReadNormalizer(steps));
  return Status::Ok();
}

Result<SpacePrefix> MetaspacePrefix(const json& step) {
  if (auto scheme = StringMember(step, "prepend_scheme")) {
    if (*scheme == "always") return SpacePrefix::kUnlessPresent;
    if (*scheme == "first") return SpacePrefix::kFirstSegment;
    if (*scheme == "never") return SpacePrefix::kNone;
    return Unsupported("Metaspace prepend_scheme '" + *scheme + "' is not supported");
  }
  return BoolMember(step, "add_prefix_space", true) ? SpacePrefix::kUnlessPresent
                                                    : SpacePrefix::kNone;
}

// Whitespace keeps the matches of \w+|[^\w\s]+ and drops what lies between them.
constexpr std::string_view kWordsRegex = R"(\w+|[^\w\s]+)";

// A Split pattern given as {"String": text}: the text literally.
std::string QuoteLiteral(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (std::string_view("\\^$.|?*+()[]{}-/#").find(c) != std::string_view::npos) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

Result<SplitBehavior> ParseBehavior(const json& step) {
  const std::string name = StringMember(step, "behavior").value_or("Isolated");
  if (name == "Isolated") return SplitBehavior::kIsolated;
  if (name == "Removed") return SplitBehavior::kRemoved;
  if (name == "MergedWithPrevious") return SplitBehavior::kMergedWithPrevious;
  if (name == "MergedWithNext") return SplitBehavior::kMergedWithNext;
  if (name == "Contiguous") return SplitBehavior::kContiguous;
  return Unsupported("split behavior '" + name + "' is not supported");
}

Status AddSplit(std::string_view pattern, SplitBehavior behavior, bool invert, PipelineFlags& f) {
  HFD_ASSIGN_OR_RETURN(auto regex, CompiledRegex::Compile(pattern));
  f.splits.Add(RegexStep(std::move(regex), behavior, invert));
  return Status::Ok();
}

Status ReadSplit(const json& step, PipelineFlags& f) {
  const json* pattern = Member(step, "pattern");
  std::string regex;
  if (auto text = pattern ? StringMember(*pattern, "Regex") : std::nullopt) {
    regex = *text;
  } else if (auto literal = pattern ? StringMember(*pattern, "String") : std::nullopt) {
    regex = QuoteLiteral(*literal);
  } else {
    return Corrupt("a Split pre-tokenizer has neither a Regex nor a String pattern");
  }
  HFD_ASSIGN_OR_RETURN(SplitBehavior behavior, ParseBehavior(step));
  return AddSplit(regex, behavior, BoolMember(step, "invert", false), f);
}

// CharDelimiterSplit: the text is cut at each occurrence of one character, which is
// dropped. The character goes into the regex as \x{...}, so any code point works.
Status ReadCharDelimiter(const json& step, PipelineFlags& f) {
  const std::string delimiter = StringMember(step, "delimiter").value_or("");
  const DecodedChar c =
      delimiter.empty() ? DecodedChar{kInvalidCodePoint, 0} : DecodeUtf8(delimiter, 0);
  if (c.cp == kInvalidCodePoint || static_cast<size_t>(c.len) != delimiter.size()) {
    return Corrupt("CharDelimiterSplit's 'delimiter' is not a string of one character");
  }
  char pattern[16];
  std::snprintf(pattern, sizeof(pattern), "\\x{%X}", c.cp);
  return AddSplit(pattern, SplitBehavior::kRemoved, false, f);
}

Status ReadPreTokenizers(const json& doc, TokenizerModel& m, PipelineFlags& f) {
  std::vector<const json*> steps;
  Flatten(Member(doc, "pre_tokenizer"), "pretokenizers", steps);
  for (const json* step : steps) {
    const std::string type = TypeOf(*step);
    if (type == "Metaspace") {
      if (StringMember(*step, "replacement").value_or(std::string(kSpaceMark)) != kSpaceMark) {
        return Unsupported("Metaspace with a replacement other than U+2581 is not supported");
      }
      HFD_ASSIGN_OR_RETURN(m.space_prefix, MetaspacePrefix(*step));
      const bool split = BoolMember(*step, "split", true);
      if (split) m.pre = PreTokenizer::kMetaspaceWords;
      f.sentence_piece = true;
      // Kept in order among the splits; used only when there are some (see ReadPipeline).
      SplitStep metaspace;
      metaspace.metaspace = MetaspaceStep{m.space_prefix != SpacePrefix::kNone, split};
      f.splits.Add(std::move(metaspace));
      f.metaspace_prefix = m.space_prefix;
    } else if (type == "ByteLevel") {
      f.byte_level = true;
      m.byte_level_prefix_space = BoolMember(*step, "add_prefix_space", false);
      if (BoolMember(*step, "use_regex", true)) {  // GPT-2's regex
        HFD_RETURN_IF_ERROR(AddSplit(kGpt2Regex, SplitBehavior::kIsolated, false, f));
      }
    } else if (type == "Split") {
      HFD_RETURN_IF_ERROR(ReadSplit(*step, f));
    } else if (type == "Digits") {
      const bool individual = BoolMember(*step, "individual_digits", false);
      HFD_RETURN_IF_ERROR(
          AddSplit(individual ? "\\p{N}" : "\\p{N}+", SplitBehavior::kIsolated, false, f));
    } else if (type == "Punctuation") {
      HFD_ASSIGN_OR_RETURN(SplitBehavior behavior, ParseBehavior(*step));
      HFD_RETURN_IF_ERROR(AddSplit(kPunctuationRegex, behavior, false, f));
    } else if (type == "Whitespace") {
      HFD_RETURN_IF_ERROR(AddSplit(kWordsRegex, SplitBehavior::kRemoved, true, f));
    } else if (type == "WhitespaceSplit") {
      HFD_RETURN_IF_ERROR(AddSplit(kWhitespaceRegex, SplitBehavior::kRemoved, false, f));
    } else if (type == "BertPreTokenizer") {
      HFD_RETURN_IF_ERROR(AddBertSplits(f.splits));
    } else if (type == "CharDelimiterSplit") {
      HFD_RETURN_IF_ERROR(ReadCharDelimiter(*step, f));
    } else if (type == "UnicodeScripts") {
      SplitStep scripts;
      scripts.scripts = true;
      f.splits.Add(std::move(scripts));
    } else {
      return Unsupported("pre-tokenizer '" + type + "' is not supported");
    }
  }
  return Status::Ok();
}

void ReadDecoders(const json& doc, TokenizerModel& m, PipelineFlags& f) {
  std::vector<const json*> steps;
  Flatten(Member(doc, "decoder"), "decoders", steps);
  for (const json* step : steps) {
    const std::string type = TypeOf(*step);
    if (type == "Strip" && StringMember(*step, "content") == " ") {
      const json* start = Member(*step, "start");
      if (start && start->is_number_integer() && start->get<int64_t>() > 0) {
        m.strip_decoded_space = true;
      }
    } else if (type == "Metaspace") {
      const auto prefix = MetaspacePrefix(*step);
      m.strip_decoded_space = prefix.ok() && *prefix != SpacePrefix::kNone;
    } else if (type == "ByteLevel" && !f.sentence_piece) {
      f.byte_level = true;
    }
  }
}

Status ReadModelOptions(const json& model, TokenizerModel& m) {
  m.byte_fallback = BoolMember(model, "byte_fallback", false);
  m.ignore_merges = BoolMember(model, "ignore_merges", false);
  for (const char* key : {"continuing_subword_prefix", "end_of_word_suffix"}) {
    if (!StringMember(model, key).value_or("").empty()) {
      return Unsupported(std::string("BPE option ") + key + " is not supported");
    }
  }
  if (auto unk = StringMember(model, "unk_token")) {
    m.unk_id = FindToken(m, *unk);
    if (m.unk_id < 0) return Corrupt("model.unk_token '" + *unk + "' is not in the vocabulary");
  }
  return Status::Ok();
}

void MarkByteTokens(TokenizerModel& m) {
  m.is_byte_token.assign(m.vocab.size(), 0);
  for (size_t id = 0; id < m.vocab.size(); ++id) {
    const std::string& t = m.vocab[id];
    if (t.size() == 6 && t.compare(0, 3, "<0x") == 0 && t[5] == '>') m.is_byte_token[id] = 1;
  }
}

// Adds or updates an added token, growing the vocabulary to hold its id.
Status AddToken(TokenizerModel& m, AddedToken token) {
  if (token.id < 0 || token.id >= (1 << 24)) {
    return Corrupt("added token '" + token.content + "' has the invalid id " +
                   std::to_string(token.id));
  }
  if (static_cast<size_t>(token.id) >= m.vocab.size()) m.vocab.resize(token.id + 1);
  if (m.vocab[token.id] != token.content) {
    m.vocab[token.id] = token.content;
    m.index.Insert(m.vocab, token.id);
  }
  for (AddedToken& existing : m.added) {
    if (existing.id == token.id) {
      existing = std::move(token);
      return Status::Ok();
    }
  }
  m.added.push_back(std::move(token));
  return Status::Ok();
}

Result<AddedToken> ParseAddedToken(const json& entry, std::optional<int64_t> id) {
  AddedToken t;
  const json* id_node = Member(entry, "id");
  if (!id && (!id_node || !id_node->is_number_integer())) {
    return Corrupt("an added token has no integer id");
  }
  const int64_t raw_id = id ? *id : id_node->get<int64_t>();
  if (raw_id < 0 || raw_id >= INT32_MAX) {
    return Corrupt("an added token has the invalid id " + std::to_string(raw_id));
  }
  t.id = static_cast<int32_t>(raw_id);
  auto content = StringMember(entry, "content");
  if (!content) return Corrupt("added token " + std::to_string(t.id) + " has no content");
  t.content = *content;
  t.special = BoolMember(entry, "special", false);
  t.lstrip = BoolMember(entry, "lstrip", false);
  t.rstrip = BoolMember(entry, "rstrip", false);
  return t;
}

Result<int32_t> ResolveToken(const TokenizerModel& m, const json* v, std::string_view what) {
  auto content = TokenContent(v);
  if (!content) return int32_t{-1};
  const int32_t id = FindToken(m, *content);
  if (id < 0) {
    return Corrupt(std::string(what) + " '" + *content + "' is not in the vocabulary");
  }
  return id;
}

Result<json> ParseJson(std::string_view text) {
  json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Corrupt("invalid JSON");
  if (!doc.is_object()) return Corrupt("the top level is not a JSON object");
  return doc;
}

// SentencePiece spaces with splitting pre-tokenizers (Sequence[Split/Digits/..., Metaspace]):
// the steps run as one pipeline in their order, the Metaspace one writing the "▁"s. A lone
// Metaspace keeps the faster fixed path (prefix and "▁"s written before splitting).
Status ComposeMetaspace(PipelineFlags f, TokenizerModel& m) {
  const auto& steps = f.splits.steps();
  const bool only_metaspace =
      std::all_of(steps.begin(), steps.end(), [](const SplitStep& s) { return s.metaspace; });
  if (only_metaspace && steps.size() <= 1) return Status::Ok();
  if (f.metaspace_prefix) {
    if (*f.metaspace_prefix == SpacePrefix::kFirstSegment) {
      return Unsupported("Metaspace prepend_scheme 'first' next to splitting pre-tokenizers");
    }
    if (f.normalizer_spaces) {
      return Unsupported(
          "a Metaspace pre-tokenizer next to splits after a normalizer that "
          "writes \"▁\"");
    }
    m.space_prefix = SpacePrefix::kNone;  // the pipeline's Metaspace step prepends
  }
  // Without a Metaspace step the normalizer wrote the "▁"s before the splits run, as in
  // Hugging Face, where normalizers come first.
  m.pre = PreTokenizer::kPipeline;
  m.pipeline = std::make_shared<const PreTokenizerPipeline>(std::move(f.splits));
  return Status::Ok();
}

}  // namespace

Status CheckModelType(const json& doc) {
  const json* model = Member(doc, "model");
  if (!model || !model->is_object()) return Corrupt("the 'model' object is missing");
  const std::string type = TypeOf(*model);
  if (!type.empty() && type != "BPE" && type != "Unigram" && !IsWordModelType(type)) {
    return Unsupported("tokenizer model type '" + type +
                       "' is not supported (BPE, Unigram, WordPiece and WordLevel are)");
  }
  return Status::Ok();
}

Status ReadPipeline(const json& doc, TokenizerModel& m) {
  HFD_RETURN_IF_ERROR(CheckModelType(doc));
  const json* model = Member(doc, "model");
  const bool word_model = IsWordModelType(TypeOf(*model));
  HFD_RETURN_IF_ERROR(word_model ? ReadWordModel(doc, m) : ReadModelOptions(*model, m));
  PipelineFlags flags;
  HFD_RETURN_IF_ERROR(ReadNormalizers(doc, m, flags));
  HFD_RETURN_IF_ERROR(ReadPreTokenizers(doc, m, flags));
  ReadDecoders(doc, m, flags);
  if (word_model) {
    ChoosePreTokenizer(std::move(flags.splits), m.pre, m.pipeline);
  } else if (flags.byte_level) {
    if (m.kind == ModelKind::kUnigram) {
      return Unsupported("a Unigram model with a ByteLevel pre-tokenizer or decoder");
    }
    m.kind = ModelKind::kByteLevel;
    ChoosePreTokenizer(std::move(flags.splits), m.pre, m.pipeline);
  } else if (flags.sentence_piece || m.byte_fallback) {
    if (m.kind != ModelKind::kUnigram) m.kind = ModelKind::kSentencePiece;
    HFD_RETURN_IF_ERROR(ComposeMetaspace(std::move(flags), m));
    MarkByteTokens(m);
  } else {
    return Unsupported(
        "cannot tell whether this is a byte-level or a SentencePiece BPE tokenizer (no "
        "ByteLevel or Metaspace step)");
  }
  return Status::Ok();
}

Status ReadAddedTokens(const json& doc, TokenizerModel& m) {
  const json* added = Member(doc, "added_tokens");
  if (!added || added->is_null()) return Status::Ok();
  if (!added->is_array()) return Corrupt("added_tokens is not a list");
  for (const json& entry : *added) {
    HFD_ASSIGN_OR_RETURN(AddedToken t, ParseAddedToken(entry, std::nullopt));
    HFD_RETURN_IF_ERROR(AddToken(m, std::move(t)));
  }
  return Status::Ok();
}

Status ApplyTokenizerConfig(std::string_view text, TokenizerModel& m) {
  HFD_ASSIGN_OR_RETURN(json config, ParseJson(text));
  if (const json* decoder = Member(config, "added_tokens_decoder");
      decoder && decoder->is_object()) {
    for (const auto& [key, entry] : decoder->items()) {
      int64_t id = -1;
      try {
        id = std::stoll(key);
      } catch (const std::exception&) {
        return Corrupt("added_tokens_decoder key '" + key + "' is not a token id");
      }
      bool known = false;
      for (const AddedToken& t : m.added) known = known || t.id == id;
      if (known) continue;
      HFD_ASSIGN_OR_RETURN(AddedToken t, ParseAddedToken(entry, id));
      HFD_RETURN_IF_ERROR(AddToken(m, std::move(t)));
    }
  }
  if (const json* v = Member(config, "add_bos_token"); v && v->is_boolean()) m.add_bos = *v;
  if (const json* v = Member(config, "add_eos_token"); v && v->is_boolean()) m.add_eos = *v;
  struct Slot {
    const char* key;
    int32_t* id;
  };
  for (const Slot& slot : {Slot{"bos_token", &m.bos_id}, Slot{"eos_token", &m.eos_id},
                           Slot{"unk_token", &m.unk_id}, Slot{"pad_token", &m.pad_id}}) {
    HFD_ASSIGN_OR_RETURN(int32_t id, ResolveToken(m, Member(config, slot.key), slot.key));
    if (id >= 0) *slot.id = id;
  }
  return Status::Ok();
}

Status ApplyGenerationConfig(std::string_view text, TokenizerModel& m) {
  HFD_ASSIGN_OR_RETURN(json config, ParseJson(text));
  auto valid_id = [](const json& v) {
    return v.is_number_integer() && v.get<int64_t>() >= 0 && v.get<int64_t>() < INT32_MAX;
  };
  if (const json* eos = Member(config, "eos_token_id")) {
    if (valid_id(*eos)) {
      m.eog_ids.push_back(eos->get<int32_t>());
    } else if (eos->is_array()) {
      for (const json& id : *eos) {
        if (!valid_id(id)) return Corrupt("eos_token_id holds something other than token ids");
        m.eog_ids.push_back(id.get<int32_t>());
      }
    } else if (!eos->is_null()) {
      return Corrupt("eos_token_id is neither a token id nor a list of them");
    }
  }
  if (const json* bos = Member(config, "bos_token_id"); bos && valid_id(*bos) && m.bos_id < 0) {
    m.bos_id = bos->get<int32_t>();
  }
  return Status::Ok();
}

}  // namespace hfd::tok
