//===- ExternalData.cpp - Weights stored beside the model -------*- C++ -*-===//
//
// ONNX keeps large weights outside the protobuf: a TensorProto with
// data_location EXTERNAL names a file (relative to the model's directory),
// an offset and a length. Kiln reads each such payload into raw_data before
// the checker runs, so that the rest of the importer sees ordinary tensors.
// Paths are confined to the model's directory: no absolute paths, no `..`,
// and the real path, symbolic links resolved, must lie inside the model's
// real directory. Only regular files are read (a FIFO, a device or a
// directory is refused before anything reads from it), and every offset
// and length is checked against the file before reading.
//
//===----------------------------------------------------------------------===//

#include "ImportContext.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace mlir;

namespace kiln::onnx_import {

namespace {

class ExternalDataLoader {
public:
  ExternalDataLoader(Location fileLoc, StringRef modelDir) : fileLoc(fileLoc), modelDir(modelDir) {}

  LogicalResult loadGraph(onnx::GraphProto &graph) {
    for (auto &init : *graph.mutable_initializer())
      if (failed(load(init, "initializer")))
        return failure();
    for (auto &node : *graph.mutable_node())
      for (auto &attr : *node.mutable_attribute()) {
        if (attr.has_t() && failed(load(*attr.mutable_t(), "constant")))
          return failure();
        if (attr.has_g() && failed(loadGraph(*attr.mutable_g())))
          return failure();
        for (auto &g : *attr.mutable_graphs())
          if (failed(loadGraph(g)))
            return failure();
      }
    return success();
  }

private:
  LogicalResult load(onnx::TensorProto &t, StringRef what);
  /// The file's contents, read once however many tensors it holds.
  FailureOr<StringRef> readFile(const std::string &path, const onnx::TensorProto &t,
                                StringRef what);

  Location fileLoc;
  std::string modelDir;
  llvm::StringMap<std::unique_ptr<llvm::MemoryBuffer>> files;
};

FailureOr<StringRef> ExternalDataLoader::readFile(const std::string &location,
                                                  const onnx::TensorProto &t, StringRef what) {
  auto it = files.find(location);
  if (it != files.end())
    return it->second->getBuffer();
  auto unreadable = [&](StringRef why) {
    return emitError(fileLoc) << what << " '" << t.name() << "' keeps its data in '" << location
                              << "', which cannot be read: " << why
                              << " (external data files must lie beside the model)";
  };
  llvm::SmallString<256> path(modelDir), real, realDir;
  llvm::sys::path::append(path, location);
  if (std::error_code ec = llvm::sys::fs::real_path(path, real))
    return unreadable(ec.message());
  if (std::error_code ec = llvm::sys::fs::real_path(modelDir.empty() ? "." : modelDir, realDir))
    return unreadable(ec.message());
  // Symbolic links resolved, the file must still lie below the directory.
  bool inside =
      StringRef(real).starts_with(realDir) &&
      (llvm::sys::path::is_separator(realDir.back()) ||
       (real.size() > realDir.size() && llvm::sys::path::is_separator(real[realDir.size()])));
  if (!inside)
    return emitError(fileLoc) << what << " '" << t.name() << "' keeps its data in '" << location
                              << "', a symbolic link to '" << real
                              << "' outside the model's directory; Kiln reads external data "
                                 "only from the model's directory and below";
  // Opened without blocking (a FIFO would wait for a writer) and checked
  // on the open descriptor, so the file read is the file checked.
  int fd = ::open(real.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return unreadable(std::error_code(errno, std::generic_category()).message());
  struct stat st;
  if (::fstat(fd, &st) != 0) {
    int error = errno;
    ::close(fd);
    return unreadable(std::error_code(error, std::generic_category()).message());
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    StringRef kind = S_ISDIR(st.st_mode)                          ? "it is a directory"
                     : S_ISFIFO(st.st_mode)                       ? "it is a FIFO"
                     : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "it is a device"
                     : S_ISSOCK(st.st_mode)                       ? "it is a socket"
                                                                  : "it is not a regular file";
    return unreadable(kind);
  }
  auto buffer = llvm::MemoryBuffer::getOpenFile(fd, real, st.st_size,
                                                /*RequiresNullTerminator=*/false);
  ::close(fd);
  if (!buffer)
    return unreadable(buffer.getError().message());
  StringRef data = (*buffer)->getBuffer();
  files[location] = std::move(*buffer);
  return data;
}

LogicalResult ExternalDataLoader::load(onnx::TensorProto &t, StringRef what) {
  if (t.data_location() != onnx::TensorProto::EXTERNAL)
    return success();
  std::string location;
  uint64_t offset = 0;
  std::optional<uint64_t> length;
  for (const auto &entry : t.external_data()) {
    StringRef value = entry.value();
    uint64_t n;
    if (entry.key() == "location") {
      location = entry.value();
    } else if (entry.key() == "offset" || entry.key() == "length") {
      if (value.getAsInteger(10, n))
        return emitError(fileLoc) << what << " '" << t.name() << "' has external data "
                                  << entry.key() << " '" << value
                                  << "', which is not a non-negative integer";
      if (entry.key() == "offset")
        offset = n;
      else
        length = n;
    }
  }
  if (location.empty())
    return emitError(fileLoc) << what << " '" << t.name()
                              << "' is stored as external data but names no location";
  // Confined to the model's directory: no absolute path, no `..`.
  bool escapes = llvm::sys::path::is_absolute(location) ||
                 llvm::sys::path::is_absolute(location, llvm::sys::path::Style::windows);
  for (auto it = llvm::sys::path::begin(location), end = llvm::sys::path::end(location); it != end;
       ++it)
    if (*it == "..")
      escapes = true;
  if (escapes)
    return emitError(fileLoc) << what << " '" << t.name() << "' names external data file '"
                              << location
                              << "' outside the model's directory; Kiln reads external "
                                 "data only from the model's directory and below";
  uint64_t count = 1;
  for (int64_t d : t.dims()) {
    if (d < 0 || (d > 0 && count > (uint64_t(1) << 40) / (uint64_t)d))
      return emitError(fileLoc) << what << " '" << t.name()
                                << "' has a negative dimension or more elements than "
                                   "Kiln accepts (2^40)";
    count *= (uint64_t)d;
  }
  uint64_t need = count * onnxElementBytes(t.data_type());
  if (need == 0 && count != 0)
    return emitError(fileLoc) << what << " '" << t.name()
                              << "' has an element type Kiln does not compile";
  if (length && *length != need)
    return emitError(fileLoc) << what << " '" << t.name() << "' declares " << *length
                              << " bytes of external data, but its shape needs " << need;
  auto data = readFile(location, t, what);
  if (failed(data))
    return failure();
  if (offset > data->size() || need > data->size() - offset)
    return emitError(fileLoc) << what << " '" << t.name() << "' needs " << need
                              << " bytes from offset " << offset << " of '" << location
                              << "', which holds " << data->size()
                              << " bytes (is the file truncated?)";
  t.set_raw_data(data->data() + offset, need);
  t.clear_external_data();
  t.set_data_location(onnx::TensorProto::DEFAULT);
  return success();
}

} // namespace

LogicalResult loadExternalData(onnx::ModelProto &model, Location fileLoc, StringRef modelDir) {
  ExternalDataLoader loader(fileLoc, modelDir);
  return loader.loadGraph(*model.mutable_graph());
}

} // namespace kiln::onnx_import
