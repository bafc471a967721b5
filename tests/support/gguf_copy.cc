#include "tests/support/gguf_copy.h"

#include <cstring>
#include <memory>
#include <string>

#include "engine/gguf/gguf_file.h"

namespace hfd::testing {

Status CopyGgufAddingMetadata(const std::filesystem::path& in, const std::filesystem::path& out,
                              const std::function<void(gguf::GgufWriter&)>& add) {
  HFD_ASSIGN_OR_RETURN(std::shared_ptr<gguf::GgufFile> file, gguf::GgufFile::Open(in));
  gguf::GgufWriter w;
  w.SetAlignment(static_cast<uint32_t>(file->alignment()));
  for (const gguf::MetadataEntry& e : file->metadata()) {
    if (e.key == "general.alignment") continue;  // the writer adds it
    // The parser keeps a string's bytes without their length and an array's elements
    // without their type and count; the writer wants the encoded value.
    std::string encoded(e.payload);
    if (e.type == gguf::ValueType::kString) {
      encoded = gguf::GgufWriter::EncodeString(e.payload);
    } else if (e.type == gguf::ValueType::kArray) {
      encoded = gguf::GgufWriter::EncodeU32(static_cast<uint32_t>(e.elem_type));
      encoded += gguf::GgufWriter::EncodeU64(e.count);
      encoded += e.payload;
    }
    w.AddRaw(e.key, e.type, std::move(encoded));
  }
  add(w);
  for (const gguf::TensorInfo& t : file->tensors()) {
    w.AddTensor(t.name, t.type, t.shape, [file, &t](uint8_t* dst, uint64_t nbytes) -> Status {
      if (nbytes != t.nbytes) return Corrupt("tensor " + t.name + " changed size in the copy");
      std::memcpy(dst, t.data, nbytes);
      return Status::Ok();
    });
  }
  return w.Write(out);
}

Status WriteRopeScaledGemma2(const std::filesystem::path& fixtures,
                             const std::filesystem::path& dir) {
  const auto source = fixtures / "arch/tiny-gemma2-F32.gguf";
  HFD_RETURN_IF_ERROR(
      CopyGgufAddingMetadata(source, dir / "tiny-gemma2-linear-F32.gguf", [](gguf::GgufWriter& w) {
        w.AddString("gemma2.rope.scaling.type", "linear");
        w.AddF32("gemma2.rope.scaling.factor", 4.0f);
      }));
  return CopyGgufAddingMetadata(source, dir / "tiny-gemma2-yarn-F32.gguf", [](gguf::GgufWriter& w) {
    w.AddString("gemma2.rope.scaling.type", "yarn");
    w.AddF32("gemma2.rope.scaling.factor", 4.0f);
    w.AddU32("gemma2.rope.scaling.original_context_length", 16);
  });
}

}  // namespace hfd::testing
