//===- MemoryReportHTML.cpp - The memory plan as a picture ------*- C++ -*-===//
//
// `kilnc --memory-report=FILE.html`: one self-contained HTML file (inline
// SVG and CSS, no script, nothing fetched) that draws the workspace plan:
// steps in op order across, workspace offset down, one rectangle per
// buffer labelled with its node, and the peak step marked.
//
//===----------------------------------------------------------------------===//

#include "kiln/Driver/MemoryReport.h"

#include "kiln/Support/ByteSize.h"

#include "llvm/Support/Format.h"

#include <algorithm>

namespace kiln {
namespace {

std::string escape(llvm::StringRef text) {
  std::string out;
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

/// A stable colour per op type.
std::string colourFor(llvm::StringRef op) {
  uint32_t h = 2166136261u;
  for (char c : op)
    h = (h ^ (uint8_t)c) * 16777619u;
  std::string s;
  llvm::raw_string_ostream(s) << "hsl(" << h % 360 << ",55%,72%)";
  return s;
}

} // namespace

void printMemoryReportHTML(const MemoryReport &r, llvm::raw_ostream &os) {
  const double left = 90, top = 40, plotHeight = 640;
  int64_t numSteps = std::max<int64_t>(1, r.steps.size());
  double stepWidth = std::clamp(1400.0 / numSteps, 3.0, 48.0);
  double plotWidth = stepWidth * numSteps;
  double scale = plotHeight / std::max<int64_t>(1, r.workspaceBytes);
  int64_t peak = r.peakStep();

  os << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
     << "<title>Kiln memory plan: " << escape(r.model) << "</title>\n"
     << "<style>body{font:14px sans-serif;margin:24px;color:#222}"
     << "table{border-collapse:collapse}td,th{padding:2px 10px;text-align:left}"
     << "td.n{text-align:right;font-variant-numeric:tabular-nums}"
     << "svg text{font:10px sans-serif}rect.b{stroke:#333;stroke-width:.5}"
     << "rect.b:hover{stroke-width:2}</style>\n</head>\n<body>\n"
     << "<h1>Memory plan of " << escape(r.model) << "</h1>\n<table>\n"
     << "<tr><th>workspace</th><td class=\"n\">" << r.workspaceBytes << " bytes</td></tr>\n"
     << "<tr><th>most bytes live in one step</th><td class=\"n\">" << r.liveBytesBound()
     << " bytes</td></tr>\n"
     << "<tr><th>inputs</th><td class=\"n\">" << r.inputBytes << " bytes</td></tr>\n"
     << "<tr><th>outputs</th><td class=\"n\">" << r.outputBytes << " bytes</td></tr>\n";
  if (r.hasObject)
    os << "<tr><th>code</th><td class=\"n\">" << r.codeBytes() << " bytes</td></tr>\n"
       << "<tr><th>weights and read-only data</th><td class=\"n\">" << r.weightsBytes()
       << " bytes</td></tr>\n";
  os << "<tr><th>peak</th><td>" << escape(r.describeStep(peak)) << "</td></tr>\n</table>\n";

  os << "<p>Steps in op order across, workspace offset down; one rectangle per "
        "buffer, from the step that writes it to the last that reads it. Hover "
        "over a rectangle for its node.</p>\n";
  os << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << (int)(left + plotWidth + 20)
     << "\" height=\"" << (int)(top + plotHeight + 60) << "\">\n";
  os << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << plotWidth << "\" height=\""
     << plotHeight << "\" fill=\"#f7f7f7\" stroke=\"#999\"/>\n";
  // Offset ticks down the left.
  for (int i = 0; i <= 4; ++i) {
    int64_t offset = r.workspaceBytes * i / 4;
    double y = top + offset * scale;
    os << "<text x=\"" << left - 6 << "\" y=\"" << y + 3 << "\" text-anchor=\"end\">" << offset
       << "</text>\n";
  }
  os << "<text x=\"" << left << "\" y=\"" << top - 10 << "\">offset (bytes)</text>\n";
  os << "<text x=\"" << left + plotWidth << "\" y=\"" << top + plotHeight + 30
     << "\" text-anchor=\"end\">step (op order) &#8594;</text>\n";
  if (peak >= 0)
    os << "<rect x=\"" << left + peak * stepWidth << "\" y=\"" << top << "\" width=\"" << stepWidth
       << "\" height=\"" << plotHeight
       << "\" fill=\"#ffdddd\"><title>peak: " << escape(r.describeStep(peak))
       << "</title></rect>\n";
  for (const MemoryReport::Buffer &b : r.buffers) {
    double x = left + b.first * stepWidth;
    double w = (b.last - b.first + 1) * stepWidth;
    double y = top + b.offset * scale;
    double h = std::max(1.0, b.size * scale);
    std::string label = b.node.empty() ? "?" : b.node;
    os << "<g><rect class=\"b\" x=\"" << llvm::format("%.2f", x) << "\" y=\""
       << llvm::format("%.2f", y) << "\" width=\"" << llvm::format("%.2f", w) << "\" height=\""
       << llvm::format("%.2f", h) << "\" fill=\"" << colourFor(b.op) << "\"><title>"
       << escape(label) << (b.op.empty() ? "" : " (" + escape(b.op) + ")") << "\noffset "
       << b.offset << ", " << b.size << " bytes, steps " << b.first << "&#8211;" << b.last
       << "</title></rect>";
    // A label where it fits.
    if (h >= 11 && w >= 6.0 * std::min<size_t>(label.size(), 40))
      os << "<text x=\"" << llvm::format("%.2f", x + 2) << "\" y=\"" << llvm::format("%.2f", y + 10)
         << "\">" << escape(label.substr(0, 40)) << "</text>";
    os << "</g>\n";
  }
  os << "</svg>\n";

  os << "<h2>Buffers</h2>\n<table>\n<tr><th>node</th><th>op</th><th>offset</th><th>size</th>"
        "<th>steps</th></tr>\n";
  for (const MemoryReport::Buffer &b : r.buffers)
    os << "<tr><td>" << escape(b.node) << "</td><td>" << escape(b.op) << "</td><td class=\"n\">"
       << b.offset << "</td><td class=\"n\">" << b.size << "</td><td class=\"n\">" << b.first
       << "&#8211;" << b.last << "</td></tr>\n";
  os << "</table>\n</body>\n</html>\n";
}

} // namespace kiln
