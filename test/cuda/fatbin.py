#!/usr/bin/env python3
"""Lists the entries of the fatbin a `kilnc --device=cuda` object embeds.

    fatbin.py model.o        ->  one line per entry: "elf sm_80", "ptx sm_90"

The object is ELF64; the image is its .kiln.cuda.image section. A fatbin
(the toolkit here has no cuobjdump) is a 16-byte header (magic 0xBA55ED50,
version, header size, payload size) and entries, each a header (kind 1 for
PTX, 2 for ELF; header size; payload size; the SM number at byte 28) and
its payload. An image that is PTX text prints "ptx-text <target>".
"""
import struct
import sys

FATBIN_MAGIC = 0xBA55ED50
KINDS = {1: "ptx", 2: "elf"}


def elf_section(data, wanted):
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise ValueError("not a little-endian ELF64 object")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    sections = []
    for i in range(shnum):
        name, _, _, _, offset, size = struct.unpack_from("<IIQQQQ", data, shoff + i * shentsize)
        sections.append((name, offset, size))
    strtab = sections[shstrndx]
    for name, offset, size in sections:
        end = data.index(b"\0", strtab[1] + name)
        if data[strtab[1] + name:end].decode() == wanted:
            return data[offset:offset + size]
    raise ValueError("no %s section" % wanted)


def entries(image):
    if image.startswith(b"//") or image.lstrip().startswith(b".version"):
        target = [l for l in image.decode(errors="replace").splitlines()
                  if l.startswith(".target")]
        return [("ptx-text", target[0].split()[1] if target else "?")]
    magic, _, header_size, payload = struct.unpack_from("<IHHQ", image, 0)
    if magic != FATBIN_MAGIC:
        raise ValueError("the image is neither a fatbin nor PTX text")
    result, offset = [], header_size
    while offset < header_size + payload:
        kind, _, size, body = struct.unpack_from("<HHIQ", image, offset)
        sm, = struct.unpack_from("<I", image, offset + 28)
        result.append((KINDS.get(kind, "kind%d" % kind), "sm_%d" % sm))
        offset += size + body
    if offset != header_size + payload:
        raise ValueError("the fatbin's entries do not add up to its size")
    return result


def main(argv):
    with open(argv[1], "rb") as f:
        data = f.read()
    for kind, arch in entries(elf_section(data, ".kiln.cuda.image")):
        print(kind, arch)


if __name__ == "__main__":
    main(sys.argv)
