// Reading fixtures/reference/llama.cpp.txt: what llama.cpp's llama-simple printed for 16
// greedy tokens per (GGUF file, prompt), and the prompt's token ids.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace hfd::testing {

struct LlamaCppCase {
  std::string file;          // "tiny-llama3-Q8_0.gguf"
  std::string prompt;        // "Once upon a time"
  std::string text;          // what llama-simple printed: BOS piece, prompt, 16 greedy tokens
  std::vector<int32_t> ids;  // the prompt's ids, BOS included
};

// Parses the file's blocks "=== FILE | PROMPT\n<text>\n\n[ids]\n".
std::vector<LlamaCppCase> ParseLlamaCpp(const std::string& all);

}  // namespace hfd::testing
