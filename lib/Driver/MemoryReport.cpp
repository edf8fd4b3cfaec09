//===- MemoryReport.cpp - The memory report: plan, peak, sections -*- C++ -*-===//
//
// Reads the plan kiln-plan-memory recorded, finds its peak, adds the
// emitted object's sections, and prints the report as text or JSON.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/MemoryReport.h"

#include "kiln/Support/ByteSize.h"
#include "kiln/Transforms/Passes.h"

#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <algorithm>
#include <map>

using namespace mlir;

namespace kiln {

int64_t MemoryReport::liveBytes(int64_t step) const {
  // Buffers placed over one another count once, at the largest of them.
  std::map<int64_t, int64_t> groups;
  for (size_t i = 0; i < buffers.size(); ++i) {
    const Buffer &b = buffers[i];
    if (b.first > step || step > b.last)
      continue;
    int64_t root = i;
    while (buffers[root].over >= 0)
      root = buffers[root].over;
    int64_t &bytes = groups[root];
    bytes = std::max(bytes, b.bytes);
  }
  int64_t total = 0;
  for (auto [root, bytes] : groups)
    total += bytes;
  return total;
}

int64_t MemoryReport::liveBytesBound() const {
  int64_t bound = 0;
  for (int64_t s = 0; s < (int64_t)steps.size(); ++s)
    bound = std::max(bound, liveBytes(s));
  return bound;
}

std::vector<const MemoryReport::Buffer *> MemoryReport::liveAt(int64_t step) const {
  std::vector<const Buffer *> live;
  for (const Buffer &b : buffers)
    if (b.first <= step && step <= b.last)
      live.push_back(&b);
  llvm::stable_sort(live, [](const Buffer *a, const Buffer *b) { return a->offset < b->offset; });
  return live;
}

int64_t MemoryReport::peakStep() const {
  int64_t best = -1, bestLive = -1;
  for (int64_t s = 0; s < (int64_t)steps.size(); ++s) {
    int64_t extent = 0;
    for (const Buffer *b : liveAt(s))
      extent = std::max(extent, b->offset + b->size);
    if (extent < workspaceBytes || extent == 0)
      continue;
    int64_t live = liveBytes(s);
    if (live > bestLive) {
      best = s;
      bestLive = live;
    }
  }
  return best;
}

uint64_t MemoryReport::codeBytes() const {
  uint64_t total = 0;
  for (const Section &s : codeSections)
    total += s.bytes;
  return total;
}

uint64_t MemoryReport::weightsBytes() const {
  uint64_t total = 0;
  for (const Section &s : weightSections)
    total += s.bytes;
  return total;
}

std::string MemoryReport::describeStep(int64_t step) const {
  if (step < 0 || step >= (int64_t)steps.size())
    return "no step";
  const Step &s = steps[step];
  if (s.node.empty())
    return "step " + std::to_string(step) + (s.op.empty() ? "" : " (" + s.op + ")");
  return "node '" + s.node + "'" + (s.op.empty() ? "" : " (" + s.op + ")");
}

llvm::Expected<MemoryReport> readMemoryPlan(func::FuncOp func) {
  MemoryReport report;
  auto plan = func->getAttrOfType<DictionaryAttr>(kMemoryPlanAttr);
  if (!plan)
    return llvm::createStringError("internal error: the model function has no memory plan");
  auto text = [](Attribute a) {
    auto s = dyn_cast_or_null<StringAttr>(a);
    return s ? s.getValue().str() : std::string();
  };
  auto number = [](DictionaryAttr d, llvm::StringRef key) -> int64_t {
    auto i = d.getAs<IntegerAttr>(key);
    return i ? i.getInt() : 0;
  };
  if (auto steps = plan.getAs<ArrayAttr>("steps"))
    for (Attribute a : steps) {
      auto pair = dyn_cast<ArrayAttr>(a);
      if (!pair || pair.size() != 2)
        return llvm::createStringError("internal error: a malformed memory plan step");
      report.steps.push_back({text(pair[0]), text(pair[1])});
    }
  if (auto buffers = plan.getAs<ArrayAttr>("buffers"))
    for (Attribute a : buffers) {
      auto d = dyn_cast<DictionaryAttr>(a);
      if (!d)
        return llvm::createStringError("internal error: a malformed memory plan buffer");
      report.buffers.push_back({text(d.get("node")), text(d.get("op")), number(d, "offset"),
                                number(d, "size"), number(d, "bytes"), number(d, "first"),
                                number(d, "last"), d.get("over") ? number(d, "over") : -1});
    }
  if (auto size = func->getAttrOfType<IntegerAttr>(kWorkspaceSizeAttr))
    report.workspaceBytes = size.getInt();
  return report;
}

llvm::Error addObjectSections(MemoryReport &report, llvm::StringRef object) {
  auto file =
      llvm::object::ObjectFile::createObjectFile(llvm::MemoryBufferRef(object, report.name));
  if (!file)
    return file.takeError();
  for (const llvm::object::SectionRef &section : (*file)->sections()) {
    auto name = section.getName();
    if (!name)
      return name.takeError();
    uint64_t size = section.getSize();
    if (size == 0 || section.isDebugSection())
      continue;
    if (section.isText()) {
      report.codeSections.push_back({name->str(), size});
      continue;
    }
    // Data the image keeps: on ELF the allocated sections, without the
    // unwind tables and the zero-initialized ones.
    bool kept = section.isData() && !section.isBSS();
    if (llvm::isa<llvm::object::ELFObjectFileBase>(file->get()))
      kept = !section.isBSS() &&
             (llvm::object::ELFSectionRef(section).getFlags() & llvm::ELF::SHF_ALLOC) &&
             !name->starts_with(".eh_frame") && !name->starts_with(".ARM.ex");
    if (kept)
      report.weightSections.push_back({name->str(), size});
  }
  // By name, with sections of one name (as a target's `size` would list
  // them twice) counted together.
  for (std::vector<MemoryReport::Section> *list : {&report.codeSections, &report.weightSections}) {
    llvm::stable_sort(*list, [](const MemoryReport::Section &a, const MemoryReport::Section &b) {
      return a.name < b.name;
    });
    std::vector<MemoryReport::Section> merged;
    for (const MemoryReport::Section &s : *list) {
      if (!merged.empty() && merged.back().name == s.name)
        merged.back().bytes += s.bytes;
      else
        merged.push_back(s);
    }
    *list = std::move(merged);
  }
  report.hasObject = true;
  return llvm::Error::success();
}

namespace {

std::string bytesText(uint64_t bytes) {
  std::string exact = std::to_string(bytes) + " bytes";
  return bytes < 1024 ? exact : formatByteSize(bytes) + " (" + exact + ")";
}

} // namespace

void printMemoryReportText(const MemoryReport &r, llvm::raw_ostream &os) {
  os << "memory report for " << r.model << " (" << r.name << ", " << r.triple << ")\n";
  os << "  workspace:    " << bytesText(r.workspaceBytes) << ", aligned to " << r.workspaceAlign
     << "\n";
  os << "  live bound:   " << bytesText(r.liveBytesBound())
     << " (the most bytes live in one step)\n";
  os << "  inputs:       " << bytesText(r.inputBytes) << "\n";
  os << "  outputs:      " << bytesText(r.outputBytes) << "\n";
  if (r.hasObject) {
    os << "  code:         " << bytesText(r.codeBytes()) << "\n";
    for (const MemoryReport::Section &s : r.codeSections)
      os << "    " << s.name << ": " << s.bytes << "\n";
    os << "  weights:      " << bytesText(r.weightsBytes()) << "\n";
    for (const MemoryReport::Section &s : r.weightSections)
      os << "    " << s.name << ": " << s.bytes << "\n";
  }
  int64_t peak = r.peakStep();
  if (peak < 0) {
    os << "  peak:         none (nothing is planned in the workspace)\n";
    return;
  }
  os << "  peak:         step " << peak << " of " << r.steps.size() << ", " << r.describeStep(peak)
     << "\n";
  os << "  live at the peak (offset, size, source node):\n";
  for (const MemoryReport::Buffer *b : r.liveAt(peak))
    os << "    " << llvm::format_decimal(b->offset, 10) << " " << llvm::format_decimal(b->size, 10)
       << "  " << (b->node.empty() ? "?" : b->node) << (b->op.empty() ? "" : " (" + b->op + ")")
       << "\n";
}

void printMemoryReportJSON(const MemoryReport &r, llvm::raw_ostream &os) {
  llvm::json::OStream j(os, 2);
  auto buffer = [&](const MemoryReport::Buffer &b) {
    j.object([&] {
      j.attribute("node", b.node);
      j.attribute("op", b.op);
      j.attribute("offset", b.offset);
      j.attribute("size", b.size);
      j.attribute("bytes", b.bytes);
      j.attribute("first_step", b.first);
      j.attribute("last_step", b.last);
    });
  };
  auto sections = [&](llvm::StringRef key, const std::vector<MemoryReport::Section> &list) {
    j.attributeObject(key, [&] {
      for (const MemoryReport::Section &s : list)
        j.attribute(s.name, (int64_t)s.bytes);
    });
  };
  int64_t peak = r.peakStep();
  j.object([&] {
    j.attribute("model", r.model);
    j.attribute("name", r.name);
    j.attribute("triple", r.triple);
    j.attribute("workspace_bytes", r.workspaceBytes);
    j.attribute("workspace_align", r.workspaceAlign);
    j.attribute("live_bytes_bound", r.liveBytesBound());
    j.attribute("input_bytes", r.inputBytes);
    j.attribute("output_bytes", r.outputBytes);
    if (r.hasObject) {
      j.attribute("code_bytes", (int64_t)r.codeBytes());
      sections("code_sections", r.codeSections);
      j.attribute("weights_bytes", (int64_t)r.weightsBytes());
      sections("weights_sections", r.weightSections);
    }
    if (peak >= 0) {
      j.attributeObject("peak_op", [&] {
        j.attribute("step", peak);
        j.attribute("node", r.steps[peak].node);
        j.attribute("op", r.steps[peak].op);
        j.attribute("live_bytes", r.liveBytes(peak));
      });
    } else {
      j.attribute("peak_op", nullptr);
    }
    j.attributeArray("live_at_peak", [&] {
      if (peak >= 0)
        for (const MemoryReport::Buffer *b : r.liveAt(peak))
          buffer(*b);
    });
    j.attributeArray("steps", [&] {
      for (const MemoryReport::Step &s : r.steps)
        j.object([&] {
          j.attribute("node", s.node);
          j.attribute("op", s.op);
        });
    });
    j.attributeArray("buffers", [&] {
      for (const MemoryReport::Buffer &b : r.buffers)
        buffer(b);
    });
  });
  os << "\n";
}

} // namespace kiln
