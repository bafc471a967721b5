// Small hand-made tokenizer.json documents for unit tests: every behaviour they exercise is
// visible in a few lines, and they load in microseconds.
#pragma once

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

namespace hfd::tok::testing {

// Byte-level BPE, GPT-2 pre-tokenizer, every byte a token (ids 0..255 in byte order),
// then "ab" 256, "abc" 257, "Ġa" 258; added "<|x|>" 300 (special), "<|xy|>" 301 (special),
// "<tool>" 302 (not special); BOS "<|x|>" from the post-processor.
inline std::string TinyByteLevelJson() {
  nlohmann::json vocab = nlohmann::json::object();
  // GPT-2's byte map, written out the slow and obvious way.
  int next = 256;
  for (int b = 0; b < 256; ++b) {
    const bool printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
    const int cp = printable ? b : next++;
    std::string s;
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
    vocab[s] = b;
  }
  vocab["ab"] = 256;
  vocab["abc"] = 257;
  vocab
      ["\xC4\xA0"
       "a"] = 258;  // "Ġa"
  nlohmann::json doc = {
      {"version", "1.0"},
      {"added_tokens",
       {{{"id", 300}, {"content", "<|x|>"}, {"special", true}},
        {{"id", 301}, {"content", "<|xy|>"}, {"special", true}},
        {{"id", 302},
         {"content", "<tool>"},
         {"special", false},
         {"lstrip", true},
         {"rstrip", true}}}},
      {"normalizer", nullptr},
      {"pre_tokenizer", {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {{{"SpecialToken", {{"id", "<|x|>"}}}}, {{"Sequence", {{"id", "A"}}}}}}}},
      {"decoder", {{"type", "ByteLevel"}}},
      {"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", {"a b", "ab c", "\xC4\xA0 a"}}}}};
  return doc.dump();
}

// SentencePiece-style BPE: "<unk>" 0, "<s>" 1, "</s>" 2, "<0x00>".."<0xFF>" 3..258,
// "▁" 259, "h" 260, "i" 261, "▁h" 262, "▁hi" 263; Metaspace prepend "always", byte
// fallback, Llama 2's decoder (which strips one leading space).
inline std::string TinySentencePieceJson() {
  nlohmann::json vocab = {{"<unk>", 0}, {"<s>", 1}, {"</s>", 2}};
  for (int b = 0; b < 256; ++b) {
    char name[8];
    std::snprintf(name, sizeof(name), "<0x%02X>", b);
    vocab[name] = 3 + b;
  }
  vocab["\xE2\x96\x81"] = 259;
  vocab["h"] = 260;
  vocab["i"] = 261;
  vocab["\xE2\x96\x81h"] = 262;
  vocab["\xE2\x96\x81hi"] = 263;
  nlohmann::json added = nlohmann::json::array();
  for (int id = 0; id < 3; ++id) {
    const char* names[] = {"<unk>", "<s>", "</s>"};
    added.push_back({{"id", id}, {"content", names[id]}, {"special", true}});
  }
  nlohmann::json doc = {
      {"added_tokens", added},
      {"normalizer", nullptr},
      {"pre_tokenizer",
       {{"type", "Metaspace"},
        {"replacement", "\xE2\x96\x81"},
        {"prepend_scheme", "always"},
        {"split", false}}},
      {"post_processor",
       {{"type", "TemplateProcessing"},
        {"single", {{{"SpecialToken", {{"id", "<s>"}}}}, {{"Sequence", {{"id", "A"}}}}}}}},
      {"decoder",
       {{"type", "Sequence"},
        {"decoders",
         {{{"type", "Replace"}, {"pattern", {{"String", "\xE2\x96\x81"}}}, {"content", " "}},
          {{"type", "ByteFallback"}},
          {{"type", "Fuse"}},
          {{"type", "Strip"}, {"content", " "}, {"start", 1}, {"stop", 0}}}}}},
      {"model",
       {{"type", "BPE"},
        {"byte_fallback", true},
        {"vocab", vocab},
        // Pair form, as newer tokenizer.json files write merges.
        {"merges", nlohmann::json::array({nlohmann::json::array({"\xE2\x96\x81", "h"}),
                                          nlohmann::json::array({"\xE2\x96\x81h", "i"})})}}}};
  return doc.dump();
}

// A BERT-shaped tokenizer.json around `vocab` (which must hold [CLS], [SEP], [UNK]):
// BertNormalizer (strip_accents null, `lowercase`), BertPreTokenizer, WordPiece with "##"
// continuations and 100 characters at most, TemplateProcessing [CLS] $A [SEP] (pair:
// [CLS] $A [SEP] $B:1 [SEP]:1, as bge's and bert-base's files have it), the WordPiece
// decoder with cleanup.
inline nlohmann::json BertDocument(nlohmann::json vocab, nlohmann::json added_tokens,
                                   bool lowercase) {
  auto special = [&](const char* name) {
    return nlohmann::json{{"id", name}, {"ids", {vocab.at(name)}}, {"tokens", {name}}};
  };
  auto template_token = [](const char* name, int type_id) {
    return nlohmann::json{{"SpecialToken", {{"id", name}, {"type_id", type_id}}}};
  };
  auto sequence = [](const char* id, int type_id) {
    return nlohmann::json{{"Sequence", {{"id", id}, {"type_id", type_id}}}};
  };
  nlohmann::json post = {
      {"type", "TemplateProcessing"},
      {"single", {template_token("[CLS]", 0), sequence("A", 0), template_token("[SEP]", 0)}},
      {"pair",
       {template_token("[CLS]", 0), sequence("A", 0), template_token("[SEP]", 0), sequence("B", 1),
        template_token("[SEP]", 1)}},
      {"special_tokens", {{"[CLS]", special("[CLS]")}, {"[SEP]", special("[SEP]")}}}};
  return {{"added_tokens", std::move(added_tokens)},
          {"normalizer",
           {{"type", "BertNormalizer"},
            {"clean_text", true},
            {"handle_chinese_chars", true},
            {"strip_accents", nullptr},
            {"lowercase", lowercase}}},
          {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
          {"post_processor", std::move(post)},
          {"decoder", {{"type", "WordPiece"}, {"prefix", "##"}, {"cleanup", true}}},
          {"model",
           {{"type", "WordPiece"},
            {"unk_token", "[UNK]"},
            {"continuing_subword_prefix", "##"},
            {"max_input_chars_per_word", 100},
            {"vocab", std::move(vocab)}}}};
}

}  // namespace hfd::tok::testing
