// write_synthetic_model: one synthetic GGUF model of a preset shape or of a Hugging Face
// config.json, optionally with a real vocabulary so llama.cpp's tools load it (for
// llama-bench side by side, and for the tiny test models of tests/cpu/testdata/).
//
//   write_synthetic_model (--shape gemma-2-2b | --config config.json) [--type Q4_K_M]
//                         [--vocab-from vocab.gguf] [--seed 1] [--distinct-rows 64]
//                         [--norm-spread 0] OUT.gguf
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>

#include "bench/synthetic_model.h"
#include "engine/model/desc_from_config.h"
#include "engine/model/synthetic_gguf.h"

namespace hfd::bench {
namespace {

struct Args {
  std::string shape, config, type = "Q4_K_M", out;
  hfd::model::SyntheticOptions options;
};

Result<model::ModelDesc> DescOf(const Args& args) {
  if (args.config.empty()) return model::PresetDesc(args.shape);
  std::ifstream in(args.config);
  std::stringstream text;
  text << in.rdbuf();
  if (!in) return NotFound("cannot read " + args.config);
  return model::DescFromConfig(text.str(), "");
}

Status Run(const Args& args) {
  HFD_ASSIGN_OR_RETURN(const model::ModelDesc desc, DescOf(args));
  return WriteSyntheticModel(desc, args.type, args.out, args.options);
}

}  // namespace
}  // namespace hfd::bench

int main(int argc, char** argv) {
  hfd::bench::Args args;
  CLI::App app{"Writes a synthetic GGUF model (random weights) of a given shape"};
  auto* shape = app.add_option("--shape", args.shape, "a preset shape (gemma-2-2b, ...)");
  app.add_option("--config", args.config, "a Hugging Face config.json giving the shape")
      ->check(CLI::ExistingFile)
      ->excludes(shape);
  app.add_option("--type", args.type, "F32, F16, Q8_0, Q4_0 or Q4_K_M");
  app.add_option("--vocab-from", args.options.vocab_from,
                 "a GGUF file whose tokenizer.ggml.* keys are copied (padded to the shape's "
                 "vocabulary size)")
      ->check(CLI::ExistingFile);
  app.add_option("--seed", args.options.seed, "random seed");
  app.add_option("--distinct-rows", args.options.distinct_rows,
                 "distinct random rows per tensor (0: every row differs)");
  app.add_option("--norm-spread", args.options.norm_spread,
                 "norm weights are 1 + N(0, this) (default: all ones)");
  app.add_option("out", args.out, "the GGUF file to write")->required();
  CLI11_PARSE(app, argc, argv);
  if (args.shape.empty() && args.config.empty()) {
    std::cerr << "give --shape or --config\n";
    return 2;
  }
  const hfd::Status status = hfd::bench::Run(args);
  if (!status.ok()) {
    std::cerr << status.ToString() << "\n";
    return 1;
  }
  return 0;
}
