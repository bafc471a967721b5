#include "engine/tokenizer/tokenizer.h"

#include <algorithm>
#include <functional>
#include <unordered_map>
#include <utility>

#include "engine/gguf/gguf_file.h"
#include "engine/tokenizer/bpe.h"
#include "engine/tokenizer/byte_level.h"
#include "engine/tokenizer/normal_forms.h"
#include "engine/tokenizer/tokenizer_model.h"
#include "engine/tokenizer/unicode.h"

namespace hfd::tok {

struct StringHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

// Per-Encode working memory, so concurrent Encode calls share nothing mutable.
struct EncodeScratch {
  std::string text;
  std::string mapped;
  std::vector<Symbol> symbols;
  BpeScratch bpe;
  // Words already encoded in this call (text repeats its words): spans of cached_ids.
  std::unordered_map<std::string, std::pair<uint32_t, uint32_t>, StringHash, std::equal_to<>> cache;
  std::vector<int32_t> cached_ids;
  PipelineScratch pipeline;
  std::vector<TextRange> pieces;
  UnigramScratch unigram;
  NormalizerScratch normalizer;
  std::string normalized;
  std::string key;  // a WordPiece lookup
};

namespace {

constexpr size_t kMaxCachedWord = 64;

bool StartsWithSpace(std::string_view s) {
  return !s.empty() && (s[0] == ' ' || s.substr(0, kSpaceMark.size()) == kSpaceMark);
}

bool PrefixSegment(SpacePrefix mode, std::string_view segment, bool at_text_start) {
  switch (mode) {
    case SpacePrefix::kNone:
      return false;
    case SpacePrefix::kAlways:
      return true;
    case SpacePrefix::kUnlessPresent:
      return !StartsWithSpace(segment);
    case SpacePrefix::kFirstSegment:
      return at_text_start && !StartsWithSpace(segment);
  }
  return false;
}

// Ids for a piece of a word the vocabulary has no token for.
void EmitUnknown(const TokenizerModel& m, std::string_view bytes, std::vector<int32_t>& out) {
  if (m.byte_fallback) {
    const bool all_bytes = std::all_of(bytes.begin(), bytes.end(), [&](char c) {
      return m.byte_ids[static_cast<uint8_t>(c)] >= 0;
    });
    if (all_bytes) {
      for (char c : bytes) out.push_back(m.byte_ids[static_cast<uint8_t>(c)]);
      return;
    }
  }
  if (m.unk_id >= 0) out.push_back(m.unk_id);
}

void EmitSymbols(const TokenizerModel& m, std::string_view word, const std::vector<Symbol>& symbols,
                 std::vector<int32_t>& out) {
  for (const Symbol& sym : symbols) {
    if (sym.id >= 0) {
      out.push_back(sym.id);
    } else {
      EmitUnknown(m, word.substr(sym.start, sym.len), out);
    }
  }
}

void MergeAndEmit(const TokenizerModel& m, std::string_view word, EncodeScratch& s,
                  std::vector<int32_t>& out) {
  Merge(m.merges, s.symbols, s.bpe);
  EmitSymbols(m, word, s.symbols, out);
}

void EncodeUnigramWord(const TokenizerModel& m, std::string_view word, EncodeScratch& s,
                       std::vector<int32_t>& out) {
  m.unigram->Encode(word, s.unigram, s.symbols);
  EmitSymbols(m, word, s.symbols, out);
}

// A SentencePiece word: one symbol per character; a merge-only one that no merge takes
// falls back to bytes in EmitSymbols, as any id below 0 does.
void EncodeSentencePieceWord(const TokenizerModel& m, std::string_view word, EncodeScratch& s,
                             std::vector<int32_t>& out) {
  s.symbols.clear();
  for (size_t pos = 0; pos < word.size();) {
    const auto lead = static_cast<uint8_t>(word[pos]);
    const int len = lead < 0x80 ? 1 : DecodeUtf8(word, pos).len;
    const int32_t id = lead < 0x80 ? m.ascii_ids[lead] : FindCharSymbol(m, word.substr(pos, len));
    s.symbols.push_back({id, static_cast<uint32_t>(pos), static_cast<uint32_t>(len)});
    pos += len;
  }
  MergeAndEmit(m, word, s, out);
}

// A byte-level word: one symbol per byte.
void EncodeByteLevelWord(const TokenizerModel& m, std::string_view word, EncodeScratch& s,
                         std::vector<int32_t>& out) {
  if (m.ignore_merges) {
    s.mapped.clear();
    AppendByteLevel(word, s.mapped);
    if (const int32_t id = FindToken(m, s.mapped); id >= 0) {
      out.push_back(id);
      return;
    }
  }
  s.symbols.clear();
  for (size_t i = 0; i < word.size(); ++i) {
    s.symbols.push_back({m.byte_ids[static_cast<uint8_t>(word[i])], static_cast<uint32_t>(i), 1});
  }
  MergeAndEmit(m, word, s, out);
}

}  // namespace

Tokenizer::Tokenizer(std::unique_ptr<TokenizerModel> model) : model_(std::move(model)) {}
Tokenizer::~Tokenizer() = default;

Result<std::unique_ptr<Tokenizer>> Tokenizer::Create(std::unique_ptr<TokenizerModel> model) {
  HFD_RETURN_IF_ERROR(Finalize(*model));
  return std::unique_ptr<Tokenizer>(new Tokenizer(std::move(model)));
}

Result<std::unique_ptr<Tokenizer>> Tokenizer::FromPath(const std::filesystem::path& path) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) return FromHfDir(path);
  if (path.filename() == "tokenizer.json") return FromHfDir(path.parent_path());
  if (path.extension() != ".gguf") {
    return InvalidArgument("'" + path.string() +
                           "' is neither a .gguf file nor a directory with tokenizer.json");
  }
  HFD_ASSIGN_OR_RETURN(std::unique_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(path));
  return FromGguf(*file);
}

std::vector<int32_t> Tokenizer::Encode(std::string_view text, bool add_special) const {
  const TokenizerModel& m = *model_;
  std::vector<int32_t> out;
  out.reserve(text.size() / 3 + 4);
  if (add_special && m.add_bos) out.insert(out.end(), m.prefix_ids.begin(), m.prefix_ids.end());
  EncodeScratch scratch;
  for (size_t pos = 0; pos < text.size();) {
    const AddedTokenMatch match = m.matcher.Find(text, pos, pos);
    if (match.start > pos) {
      EncodeSegment(text.substr(pos, match.start - pos), pos == 0, scratch, out);
    }
    if (match.id < 0) break;
    out.push_back(match.id);
    pos = match.end;
  }
  if (add_special && m.add_eos) out.insert(out.end(), m.suffix_ids.begin(), m.suffix_ids.end());
  return out;
}

Result<PairEncoding> Tokenizer::EncodePair(std::string_view first, std::string_view second,
                                           bool add_special) const {
  const TokenizerModel& m = *model_;
  if (!m.pair_template) {
    return Unsupported("this tokenizer cannot encode a pair of texts: " + m.no_pair_reason);
  }
  const std::vector<int32_t> texts[2] = {Encode(first, false), Encode(second, false)};
  PairEncoding out;
  for (const TemplatePiece& piece : *m.pair_template) {
    const bool special = piece.sequence < 0;
    if (special && !add_special) continue;
    const std::vector<int32_t>& ids = special ? piece.ids : texts[piece.sequence];
    out.ids.insert(out.ids.end(), ids.begin(), ids.end());
    out.type_ids.insert(out.type_ids.end(), ids.size(), piece.type_id);
  }
  return out;
}

void Tokenizer::EncodeSegment(std::string_view segment, bool at_text_start, EncodeScratch& scratch,
                              std::vector<int32_t>& out) const {
  const TokenizerModel& m = *model_;
  if (m.normalizer) {
    m.normalizer->Apply(segment, scratch.normalizer, scratch.normalized);
    segment = scratch.normalized;
    if (segment.empty()) return;  // no "▁" prefix for text the normalizer removed
  } else if (m.nfc && NeedsNfc(segment)) {
    ToNormalForm(segment, NormalForm::kNfc, scratch.normalized);
    segment = scratch.normalized;
  }
  std::string& text = scratch.text;
  text.clear();
  const bool pipeline = m.pre == PreTokenizer::kPipeline;
  if (pipeline && m.pipeline->HasMetaspace()) {
    text.append(segment);  // the pipeline's Metaspace step writes the "▁"s
  } else if (UsesSpaceMarks(m.kind)) {
    if (PrefixSegment(m.space_prefix, segment, at_text_start)) text.append(kSpaceMark);
    for (char c : segment) {
      if (c == ' ') {
        text.append(kSpaceMark);
      } else {
        text.push_back(c);
      }
    }
  } else {
    if (m.byte_level_prefix_space && !segment.empty() && segment[0] != ' ') text.push_back(' ');
    text.append(segment);
  }
  std::string_view all = text;
  // The words come from the hand-written matcher or from the pipeline's pieces (which
  // need not tile the text: a Removed split drops some). One loop serves both, so the
  // word encoding below is inlined once and the fast paths keep their speed.
  if (pipeline) {
    if (m.pipeline->Split(all, scratch.pipeline, scratch.pieces).ok()) {
      all = scratch.pipeline.text;
    } else {
      // Encode has no error channel: when a regex exceeds its backtracking limit (a
      // pattern from a hostile tokenizer.json), the segment is encoded as one word, which
      // still yields valid ids for it.
      scratch.pieces.assign(1, TextRange{0, all.size()});
    }
  }
  size_t next_piece = 0;
  for (size_t pos = 0;;) {
    std::string_view word;
    if (pipeline) {
      if (next_piece == scratch.pieces.size()) break;
      const TextRange& piece = scratch.pieces[next_piece++];
      word = all.substr(piece.begin, piece.end - piece.begin);
    } else {
      if (pos >= all.size()) break;
      const size_t end = NextWordEnd(m.pre, all, pos);
      word = all.substr(pos, end - pos);
      pos = end;
    }
    const bool cacheable = word.size() <= kMaxCachedWord;
    if (cacheable) {
      if (auto it = scratch.cache.find(word); it != scratch.cache.end()) {
        const auto first = scratch.cached_ids.begin() + it->second.first;
        out.insert(out.end(), first, first + it->second.second);
        continue;
      }
    }
    const size_t before = out.size();
    switch (m.kind) {
      case ModelKind::kSentencePiece:
        EncodeSentencePieceWord(m, word, scratch, out);
        break;
      case ModelKind::kByteLevel:
        EncodeByteLevelWord(m, word, scratch, out);
        break;
      case ModelKind::kUnigram:
        EncodeUnigramWord(m, word, scratch, out);
        break;
      case ModelKind::kWordPiece:
        EncodeWordPieceWord(m, word, scratch.key, out);
        break;
      case ModelKind::kWordLevel:
        EncodeWordLevelWord(m, word, out);
        break;
    }
    if (cacheable) {
      scratch.cache.emplace(word, std::pair{static_cast<uint32_t>(scratch.cached_ids.size()),
                                            static_cast<uint32_t>(out.size() - before)});
      scratch.cached_ids.insert(scratch.cached_ids.end(), out.begin() + before, out.end());
    }
  }
}

std::string Tokenizer::Decode(std::span<const int32_t> ids, bool skip_special) const {
  const TokenizerModel& m = *model_;
  std::string bytes;
  for (int32_t id : ids) {
    if (id < 0 || id >= vocab_size()) continue;
    if (skip_special && m.is_special[id]) continue;
    bytes.append(m.pieces[id]);
  }
  if (m.strip_decoded_space && !bytes.empty() && bytes[0] == ' ') bytes.erase(0, 1);
  return SanitizeUtf8(bytes);
}

std::string_view Tokenizer::TokenToPiece(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return model_->pieces[id];
}

std::string_view Tokenizer::TokenText(int32_t id) const {
  if (id < 0 || id >= vocab_size()) return {};
  return model_->vocab[id];
}

std::optional<int32_t> Tokenizer::TokenId(std::string_view text) const {
  const int32_t id = FindToken(*model_, text);
  if (id >= 0) return id;
  return std::nullopt;
}

bool Tokenizer::IsSpecial(int32_t id) const {
  return id >= 0 && id < vocab_size() && model_->is_special[id] != 0;
}

bool Tokenizer::IsEndOfGeneration(int32_t id) const {
  return std::binary_search(model_->eog_ids.begin(), model_->eog_ids.end(), id);
}

int32_t Tokenizer::vocab_size() const { return static_cast<int32_t>(model_->vocab.size()); }
int32_t Tokenizer::bos_id() const { return model_->bos_id; }
int32_t Tokenizer::eos_id() const { return model_->eos_id; }
bool Tokenizer::add_bos() const { return model_->add_bos; }
bool Tokenizer::add_eos() const { return model_->add_eos; }
const std::vector<int32_t>& Tokenizer::eos_ids() const { return model_->eog_ids; }

}  // namespace hfd::tok
