// The table follows llama.cpp's src/llama-vocab.cpp (llm_tokenizer_bpe's regex lists and
// the tokenizer.ggml.pre names in llama_vocab::impl::load). Its regexes are rewritten
// where llama.cpp's engine reads them differently from PCRE2, so that the splits, and
// hence the ids, are llama.cpp's:
//  - llama.cpp runs std::regex on text whose non-ASCII characters are collapsed to one
//    byte per Unicode category. Its \p{S} thus covers $+<=>^`| but not '~' (its ASCII
//    list omits it); the lists that use \p{S} exclude '~' explicitly.
//  - Its \d and \b are ASCII-only (std::regex); PCRE2 with UCP makes them Unicode, so
//    they are written as [0-9] here.
//  - Non-ASCII characters in a pattern are written as \x{...}: the patterns stay ASCII and
//    no editor can normalise a compatibility character (U+212A KELVIN SIGN, U+1FBE) away.
//  - kimi-k2's splitter is hand-written in llama.cpp; the pattern here says the same with
//    its Han ranges.
#include "engine/tokenizer/pre_tokenizer_table.h"

#include <algorithm>

#include "engine/tokenizer/pre_tokenizer.h"

namespace hfd::tok {
namespace {

#define HFD_CONTRACTIONS R"re((?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD]))re"

constexpr std::string_view kGpt2[] = {kGpt2LlamaCppRegex};

constexpr std::string_view kDefault[] = {
    R"re([\p{P}\$\+<=>\^~\|]+)re",
    kGpt2LlamaCppRegex,
    R"re(\p{N}+)re",
    R"re([0-9][0-9][0-9])re",
};

constexpr std::string_view kLlama3[] = {kLlama3LlamaCppRegex};

constexpr std::string_view kQwen2[] = {kQwen2LlamaCppRegex};

constexpr std::string_view kQwen35[] = {
    HFD_CONTRACTIONS
    R"re(|[^\r\n\p{L}\p{N}]?[\p{L}\p{M}]+|\p{N}| ?[^\s\p{L}\p{M}\p{N}]+[\r\n]*|\s*[\r\n]+)re"
    R"re(|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kJais2[] = {
    HFD_CONTRACTIONS
    R"re(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+)re"
    R"re(|\s{512}(?!\S)|\s{256}(?!\S)|\s{128}(?!\S)|\s{64}(?!\S)|\s{32}(?!\S)|\s{16}(?!\S))re"
    R"re(|\s{8}(?!\S)|\s{4}(?!\S)|\s{1,2}(?!\S)|\s{1})re",
};

constexpr std::string_view kMinicpm5[] = {
    R"re(\p{N}{1,3})re",
    HFD_CONTRACTIONS
    R"re(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}+| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

// Cased letters of many scripts, as DeepSeek's tokenizer.json lists them.
constexpr std::string_view kDeepseekLlm[] = {
    R"re([\r\n])re",
    R"re(\s?[A-Za-z\x{B5}\x{C0}-\x{D6}\x{D8}-\x{F6}\x{F8}-\x{1BA}\x{1BC}-\x{1BF}\x{1C4}-\x{293})re"
    R"re(\x{295}-\x{2AF}\x{370}-\x{373}\x{376}\x{377}\x{37B}-\x{37D}\x{37F}\x{386}\x{388}-\x{38A})re"
    R"re(\x{38C}\x{38E}-\x{3A1}\x{3A3}-\x{3F5}\x{3F7}-\x{481}\x{48A}-\x{52F}\x{531}-\x{556})re"
    R"re(\x{10A0}-\x{10C5}\x{13A0}-\x{13F5}\x{13F8}-\x{13FD}\x{1C90}-\x{1CBA}\x{1CBD}-\x{1CBF})re"
    R"re(\x{1D00}-\x{1D2B}\x{1D6B}-\x{1D77}\x{1D79}-\x{1D9A}\x{1E00}-\x{1F15}\x{1F18}-\x{1F1D})re"
    R"re(\x{1F20}-\x{1F45}\x{1F48}-\x{1F4D}\x{1F50}-\x{1F57}\x{1F59}\x{1F5B}\x{1F5D})re"
    R"re(\x{1F5F}-\x{1F7D}\x{1F80}-\x{1FB4}\x{1FB6}-\x{1FBC}\x{1FBE}\x{1FC2}-\x{1FC4})re"
    R"re(\x{1FC6}-\x{1FCC}\x{1FD0}-\x{1FD3}\x{1FD6}-\x{1FDB}\x{1FE0}-\x{1FEC}\x{1FF2}-\x{1FF4})re"
    R"re(\x{1FF6}-\x{1FFC}\x{2102}\x{2107}\x{210A}-\x{2113}\x{2115}\x{2119}-\x{211D}\x{2124})re"
    R"re(\x{2126}\x{2128}\x{212A}-\x{212D}\x{212F}-\x{2134}\x{2139}\x{213C}-\x{213F})re"
    R"re(\x{2145}-\x{2149}\x{214E}\x{2183}\x{2184}\x{2C00}-\x{2C7B}\x{2C7E}-\x{2CE4})re"
    R"re(\x{2CEB}-\x{2CEE}\x{2CF2}\x{2CF3}\x{A640}-\x{A66D}\x{A680}-\x{A69B}\x{A722}-\x{A76F})re"
    R"re(\x{A771}-\x{A787}\x{A78B}-\x{A78E}\x{AB70}-\x{ABBF}\x{FB00}-\x{FB06}\x{FB13}-\x{FB17})re"
    R"re(\x{FF21}-\x{FF3A}\x{FF41}-\x{FF5A}\x{10400}-\x{1044F}\x{104B0}-\x{104D3})re"
    R"re(\x{104D8}-\x{104FB}\x{10C80}-\x{10CB2}\x{10CC0}-\x{10CF2}\x{118A0}-\x{118DF})re"
    R"re(\x{1E900}-\x{1E943}]+)re",
    R"re(\s?[!-/:-~\x{FF01}-\x{FF0F}\x{FF1A}-\x{FF5E}\x{2018}-\x{201F}\x{3000}-\x{3002}]+)re",
    R"re(\s+$)re",
    R"re([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)re",
    R"re(\p{N}+)re",
};

constexpr std::string_view kDeepseekCoder[] = {
    R"re([\r\n])re",    R"re(\s?\p{L}+)re",
    R"re(\s?\p{P}+)re", R"re([\x{4E00}-\x{9FA5}\x{800}-\x{4E00}\x{AC00}-\x{D7FF}]+)re",
    R"re(\p{N})re",
};

// \p{S} without '~', as llama.cpp reads it (see the top of the file).
constexpr std::string_view kDeepseekV3[] = {
    R"re(\p{N}{1,3})re",
    R"re([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re",
    R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+)re"
    R"re(|(?:[^\r\n\p{L}\p{P}\p{S}]|~)?[\p{L}\p{M}]+| ?(?:(?!~)[\p{P}\p{S}])+[\r\n]*)re"
    R"re(|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kSpark25[] = {
    R"re(\p{N}{1,3})re",
    R"re([\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re",
    R"re([!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+)re"
    R"re(|(?:[^\r\n\p{L}\p{P}\p{S}]|~)?[\p{L}\p{M}]+| ?(?:(?!~)[\p{P}\p{S}])+|[\r\n])re"
    R"re(|\s+(?!\S)|\s+)re",
    R"re(\p{N})re",
};

// llama.cpp reads \p{Lu}, \p{Ll}, \p{Lt}, \p{Lm} and \p{Lo} each as any letter: written
// \p{L} here.
#define HFD_LETTERS_MARKS R"re([\p{L}\p{M}])re"

constexpr std::string_view kYoutu[] = {
    R"re([\x{AC00}-\x{D7A3}\x{3131}-\x{318E}]+)re"
    R"re(|[\x{FF01}\x{2026}\x{201C}\x{201D}\x{2018}\x{2019}\x{2014}\x{FF1A}\x{FF1B}\x{FF0C})re"
    R"re(\x{3001}-\x{303F}\x{FE30}-\x{FE4F}]+|[\x{3105}-\x{312F}]+)re"
    R"re(|[\x{4E00}-\x{9FA5}\x{3040}-\x{309F}\x{30A0}-\x{30FF}]+)re",
    R"re([^\r\n\p{L}\p{N}]?)re" HFD_LETTERS_MARKS "*" HFD_LETTERS_MARKS "+" HFD_CONTRACTIONS
    R"re(?|[^\r\n\p{L}\p{N}]?)re" HFD_LETTERS_MARKS "+" HFD_LETTERS_MARKS "*" HFD_CONTRACTIONS
    R"re(?|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

// tiny_aya's \d{1,3}(?=(?:\d{3})*\b): after a digit, \b is "no ASCII word character next"
// for llama.cpp's std::wregex in the C locale.
constexpr std::string_view kTinyAya[] = {
    R"re([0-9]{1,3}(?=(?:[0-9]{3})*(?![0-9A-Za-z_])))re",
    R"re([^\r\n\p{L}\p{N}]?)re" HFD_LETTERS_MARKS "*" HFD_LETTERS_MARKS "+" HFD_CONTRACTIONS
    R"re(?|[^\r\n\p{L}\p{N}]?)re" HFD_LETTERS_MARKS "+" HFD_LETTERS_MARKS "*" HFD_CONTRACTIONS
    R"re(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kFalcon[] = {
    R"re([\p{P}\$\+<=>\^~\|`]+)re",
    kGpt2LlamaCppRegex,
    R"re([0-9][0-9][0-9])re",
};

constexpr std::string_view kStarcoder[] = {R"re(\p{N})re", kGpt2LlamaCppRegex};

#define HFD_PORO R"re( ?[^(\s|.,!?\x{2026}\x{3002}\x{FF0C}\x{3001}\x{964}\x{6D4}\x{60C})]+)re"
constexpr std::string_view kPoro[] = {HFD_PORO};
constexpr std::string_view kViking[] = {HFD_PORO, R"re(\p{N})re"};

#define HFD_UPPER R"re(((?=[\p{L}])([^a-z])))re"
#define HFD_LOWER R"re(((?=[\p{L}])([^A-Z])))re"
#define HFD_LEAD R"re([^\r\n\p{L}\p{N}]?)re"

constexpr std::string_view kTekken[] = {
    HFD_LEAD HFD_UPPER "*" HFD_LOWER "+|" HFD_LEAD HFD_UPPER "+" HFD_LOWER
                       "*"
                       R"re(|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kGpt4o[] = {
    HFD_LEAD HFD_UPPER "*" HFD_LOWER "+" HFD_CONTRACTIONS "?|" HFD_LEAD HFD_UPPER "+" HFD_LOWER
                       "*" HFD_CONTRACTIONS
                       R"re(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

#define HFD_UPPER_MARK R"re(((?=[\p{L}\p{M}])([^a-z])))re"
#define HFD_LOWER_MARK R"re(((?=[\p{L}\p{M}])([^A-Z])))re"

constexpr std::string_view kGraniteEmbedMulti[] = {
    HFD_LEAD HFD_UPPER_MARK
    "*" HFD_LOWER_MARK "+" HFD_CONTRACTIONS "?|" HFD_LEAD HFD_UPPER_MARK "+" HFD_LOWER_MARK
    "*" HFD_CONTRACTIONS R"re(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kChameleon[] = {
    R"re(<sentinel:[0-9]+>)re",    R"re((IMGIMG)((A|B|C|D|E|F|G|H|I){1,4})Z)re",
    R"re(([\t\n]|    |  ))re",     R"re(\p{N})re",
    R"re([\p{P}!-/:-@\[-`{-~])re", kGpt2LlamaCppRegex,
};

#define HFD_HAN                                                                     \
  R"re(\x{4E00}-\x{9FFF}\x{3400}-\x{4DBF}\x{20000}-\x{2A6DF}\x{2A700}-\x{2EBEF})re" \
  R"re(\x{F900}-\x{FAFF}\x{2F800}-\x{2FA1F})re"

constexpr std::string_view kKimiK2[] = {
    "[" HFD_HAN "]+|" HFD_LEAD "(?:(?![" HFD_HAN R"re(])\p{L})+)re" HFD_CONTRACTIONS
    R"re(?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kSuperbpe[] = {
    R"re(\p{N}+)re",
    R"re((?=([0-9]{3})+(?![0-9])))re",
};

constexpr std::string_view kBailingMoe[] = {
    R"re('(?:[sSdDmMtT]|[lL][lL]|[vV][eE]|[rR][eE])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N})re"
    R"re(| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kSeedCoder[] = {
    HFD_CONTRACTIONS
    R"re(|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1}| ?[^\s\p{L}\p{N}\r\n]+|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kUfakzeka[] = {
    R"re([^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+)re",
};

constexpr std::string_view kLaguna[] = {
    R"re([^\n]+|[\n]+)re",
    kQwen2[0],
};

constexpr std::string_view kExaoneMoe[] = {
    HFD_CONTRACTIONS
    R"re(|[^\r\n\p{L}\p{N}]?(?:\p{L}\p{M}*(?: \p{L}\p{M}*)*)+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]?)re"
    R"re(|\s*[\r\n]|\s+(?!\S)|\s+)re",
};

constexpr bool kMerge = false;
constexpr bool kIgnoreMerges = true;
constexpr bool kNoBos = false;
constexpr bool kBos = true;

// One row per name, in llama.cpp's order. Names llama.cpp knows that are missing here
// are not byte-level BPE (gemma4, sarvam-moe, whitespace) or are listed in
// docs/tokenizers.md as not supported yet (afmoe).
constexpr GgufPreTokenizer kTable[] = {
    {"default", kDefault, kMerge, kNoBos},
    {"minicpm5", kMinicpm5, kIgnoreMerges, kNoBos},
    {"llama3", kLlama3, kIgnoreMerges, kBos},
    {"llama-v3", kLlama3, kIgnoreMerges, kBos},
    {"llama-bpe", kLlama3, kIgnoreMerges, kBos},
    {"falcon3", kLlama3, kIgnoreMerges, kBos},
    {"falcon-h1", kLlama3, kIgnoreMerges, kBos},
    {"pixtral", kLlama3, kIgnoreMerges, kBos},
    {"midm-2.0", kLlama3, kIgnoreMerges, kBos},
    {"lfm2", kLlama3, kIgnoreMerges, kBos},
    {"jina-v5-nano", kLlama3, kIgnoreMerges, kBos},
    {"deepseek-llm", kDeepseekLlm, kMerge, kNoBos},
    {"deepseek-coder", kDeepseekCoder, kMerge, kNoBos},
    {"deepseek-v3", kDeepseekV3, kMerge, kNoBos},
    {"spark2_5", kSpark25, kMerge, kNoBos},
    {"youtu", kYoutu, kIgnoreMerges, kNoBos},
    {"falcon", kFalcon, kMerge, kNoBos},
    {"mpt", kGpt2, kMerge, kNoBos},
    {"starcoder", kStarcoder, kMerge, kNoBos},
    {"gpt-2", kGpt2, kMerge, kNoBos},
    {"phi-2", kGpt2, kMerge, kNoBos},
    {"jina-es", kGpt2, kMerge, kNoBos},
    {"jina-de", kGpt2, kMerge, kNoBos},
    {"gigachat", kGpt2, kMerge, kNoBos},
    {"jina-v2-es", kGpt2, kMerge, kNoBos},
    {"jina-v2-de", kGpt2, kMerge, kNoBos},
    {"a.x-4.0", kGpt2, kMerge, kNoBos},
    {"mellum", kGpt2, kMerge, kNoBos},
    {"modern-bert", kGpt2, kMerge, kNoBos},
    {"jais-2", kJais2, kMerge, kNoBos},
    {"jina-v1-en", kGpt2, kMerge, kNoBos},
    {"jina-v2-code", kGpt2, kMerge, kNoBos},
    {"roberta-bpe", kGpt2, kMerge, kNoBos},
    {"refact", kStarcoder, kMerge, kNoBos},
    {"command-r", kStarcoder, kMerge, kNoBos},
    {"qwen2", kQwen2, kMerge, kNoBos},
    {"deepseek-r1-qwen", kQwen2, kMerge, kNoBos},
    {"kormo", kQwen2, kMerge, kNoBos},
    {"f2llmv2", kQwen2, kMerge, kNoBos},
    {"qwen35", kQwen35, kMerge, kNoBos},
    {"stablelm2", kQwen2, kMerge, kNoBos},
    {"olmo", kGpt2, kMerge, kNoBos},
    {"dbrx", kLlama3, kMerge, kNoBos},
    {"smaug-bpe", kLlama3, kMerge, kNoBos},
    {"poro-chat", kPoro, kMerge, kNoBos},
    {"glm4", kLlama3, kMerge, kNoBos},
    {"chatglm-bpe", kLlama3, kMerge, kNoBos},
    {"viking", kViking, kMerge, kNoBos},
    {"jais", kGpt2, kMerge, kNoBos},
    {"tekken", kTekken, kIgnoreMerges, kBos},
    {"smollm", kStarcoder, kMerge, kNoBos},
    {"codeshell", kStarcoder, kMerge, kNoBos},
    {"bloom", kPoro, kMerge, kNoBos},
    {"gpt3-finnish", kPoro, kMerge, kNoBos},
    {"exaone", kStarcoder, kMerge, kNoBos},
    {"exaone4", kGpt2, kMerge, kNoBos},
    {"exaone-moe", kExaoneMoe, kMerge, kNoBos},
    {"chameleon", kChameleon, kMerge, kBos},
    {"minerva-7b", kStarcoder, kMerge, kNoBos},
    {"megrez", kQwen2, kMerge, kNoBos},
    {"gpt-4o", kGpt4o, kMerge, kNoBos},
    {"llama4", kGpt4o, kMerge, kNoBos},
    {"kanana2", kGpt4o, kMerge, kNoBos},
    {"talkie", kGpt4o, kMerge, kNoBos},
    {"granite-embed-multi-97m", kGraniteEmbedMulti, kIgnoreMerges, kNoBos},
    {"tiny_aya", kTinyAya, kMerge, kNoBos},
    {"cohere2moe", kTinyAya, kMerge, kNoBos},
    {"superbpe", kSuperbpe, kMerge, kNoBos},
    {"trillion", kGpt2, kMerge, kNoBos},
    {"granite-docling", kGpt2, kMerge, kNoBos},
    {"bailingmoe", kBailingMoe, kMerge, kNoBos},
    {"bailingmoe2", kBailingMoe, kMerge, kNoBos},
    {"llada-moe", kBailingMoe, kMerge, kNoBos},
    {"seed-coder", kSeedCoder, kMerge, kNoBos},
    {"hunyuan", kQwen2, kMerge, kNoBos},
    {"hunyuan-dense", kDeepseekV3, kMerge, kNoBos},
    {"hy_v4", kDeepseekV3, kMerge, kNoBos},
    {"joyai-llm", kDeepseekV3, kMerge, kNoBos},
    {"kimi-k2", kKimiK2, kMerge, kNoBos},
    {"ufakzeka", kUfakzeka, kMerge, kNoBos},
    {"grok-2", kQwen2, kMerge, kNoBos},
    {"laguna", kLaguna, kMerge, kNoBos},
    {"minimax-m2", kGpt4o, kMerge, kNoBos},
    {"solar-open", kQwen2, kMerge, kNoBos},
    {"mellum2", kStarcoder, kMerge, kNoBos},
};

#undef HFD_CONTRACTIONS
#undef HFD_PORO
#undef HFD_UPPER
#undef HFD_LOWER
#undef HFD_LEAD
#undef HFD_HAN
#undef HFD_LETTERS_MARKS
#undef HFD_UPPER_MARK
#undef HFD_LOWER_MARK

}  // namespace

const GgufPreTokenizer* FindGgufPreTokenizer(std::string_view name) {
  const auto* it = std::find_if(std::begin(kTable), std::end(kTable),
                                [&](const GgufPreTokenizer& e) { return e.name == name; });
  return it == std::end(kTable) ? nullptr : it;
}

std::span<const GgufPreTokenizer> GgufPreTokenizers() { return kTable; }

}  // namespace hfd::tok
