//===- Manifest.cpp - The reproducibility manifest of a compilation -------===//
//
// Written with llvm::json::OStream so keys come out in the order written
// here, not a hash order.
//
//===----------------------------------------------------------------------===//

#include "kiln/Target/Manifest.h"

#include "kiln/Support/Version.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;

std::string kiln::sha256Hex(StringRef bytes) {
  std::array<uint8_t, 32> digest =
      SHA256::hash(ArrayRef<uint8_t>(bytes.bytes_begin(), bytes.bytes_end()));
  return toHex(digest, /*LowerCase=*/true);
}

std::string kiln::renderManifest(const ManifestData &data) {
  std::string text;
  raw_string_ostream os(text);
  json::OStream j(os, /*IndentSize=*/2);
  j.object([&] {
    j.attribute("manifest_version", 1);
    j.attributeObject("kiln", [&] {
      j.attribute("version", getKilnVersion());
      j.attribute("revision", getKilnRevision());
      j.attribute("llvm", getLLVMVersion());
    });
    j.attributeObject("model", [&] {
      j.attribute("file", data.modelFile);
      j.attribute("size", (int64_t)data.modelBytes.size());
      j.attribute("sha256", sha256Hex(data.modelBytes));
    });
    j.attributeObject("options", [&] {
      j.attribute("name", data.name);
      j.attribute("emit", data.emit);
      j.attribute("target", data.triple);
      j.attribute("cpu", data.cpu);
      j.attribute("features", data.features);
      j.attribute("opt_level", (int64_t)data.optLevel);
      j.attributeObject("shapes", [&] {
        for (const auto &shape : data.inputShapes)
          j.attributeArray(shape.first, [&] {
            for (int64_t d : shape.second)
              j.value(d);
          });
      });
      if (!data.inputTypes.empty())
        j.attributeObject("input_types", [&] {
          for (const auto &[input, type] : data.inputTypes)
            j.attribute(input, type);
        });
      j.attributeObject("const_inputs", [&] {
        for (const auto &[input, value] : data.constantInputs)
          j.attribute(input, value);
      });
    });
    j.attributeArray("outputs", [&] {
      for (const auto &output : data.outputs)
        j.object([&] {
          j.attribute("file", output.first);
          j.attribute("size", (int64_t)output.second.size());
          j.attribute("sha256", sha256Hex(output.second));
        });
    });
  });
  os << "\n";
  return text;
}
