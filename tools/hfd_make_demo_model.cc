// hfd-make-demo-model: writes the README quick start's demo model (see
// tools/demo_model/demo_model.h) from the committed GPT-2 vocabulary.
//
//   hfd-make-demo-model --vocab assets/demo/ggml-vocab-gpt-2.gguf --out demo.gguf
#include <cstdio>
#include <filesystem>
#include <string>

#include <CLI/CLI.hpp>

#include "common/units.h"
#include "tools/demo_model/demo_model.h"

int main(int argc, char** argv) {
  std::string vocab;
  std::string out;
  CLI::App app{"Write the demo model: Llama architecture, random Q8_0 weights, GPT-2 vocabulary"};
  app.add_option("--vocab", vocab, "vocabulary-only GGUF (assets/demo/ggml-vocab-gpt-2.gguf)")
      ->required()
      ->check(CLI::ExistingFile);
  app.add_option("--out", out, "the .gguf file to write")->required();
  CLI11_PARSE(app, argc, argv);
  if (hfd::Status s = hfd::demo::WriteDemoModel(vocab, out); !s.ok()) {
    std::fprintf(stderr, "hfd-make-demo-model: %s\n", s.ToString().c_str());
    return 1;
  }
  std::error_code ec;
  const auto size = static_cast<std::int64_t>(std::filesystem::file_size(out, ec));
  std::printf("wrote %s (%s)\n", out.c_str(), hfd::FormatBytes(ec ? 0 : size).c_str());
  return 0;
}
