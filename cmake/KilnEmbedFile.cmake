#===- KilnEmbedFile.cmake - A file's bytes as a C array initializer ----===#
#
# cmake -DINPUT=<file> -DOUTPUT=<file.inc> -P KilnEmbedFile.cmake writes
# the input's bytes as "0x.., 0x.., ..." for `static const unsigned char
# data[] = {#include "file.inc"};`. Used to build the CPU microkernel
# bitcode into kilnc.
#
#===--------------------------------------------------------------------===#
file(READ "${INPUT}" bytes HEX)
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${bytes}")
string(REGEX REPLACE "(0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,0x..,)" "\\1\n" bytes "${bytes}")
file(WRITE "${OUTPUT}.tmp" "${bytes}\n")
file(RENAME "${OUTPUT}.tmp" "${OUTPUT}")
