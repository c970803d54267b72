# SPDX-License-Identifier: GPL-2.0
# What the tools built on libvfio share: set TOOL (the program, TOOL.c in
# the including directory) and include this. The tool is linked statically
# with the libvfio of a kernel tree that carries the series:
#   make -C tools/TOOL KSRC=<kernel tree> KHDR=<uAPI headers> OUTPUT=<dir>
KSRC ?= ../../build/linux
KHDR ?= ../../build/headers/include
OUTPUT ?= ../../build/tests/tools

top_srcdir := $(abspath $(KSRC))
selfdir := $(top_srcdir)/tools/testing/selftests

# libvfio builds with the flags of the VFIO selftests; the tool with ours:
# ISO C11, pedantic, warnings as errors. The headers it includes (uAPI,
# the kernel's tools/include, libvfio's) are GNU C and are read as system
# headers, so that only the tool's own code is held to C11. The one GNU
# keyword their macros use, typeof, is defined to __typeof__; as that would
# let the tool's own code use it too, the build refuses a tool that does.
CFLAGS := -isystem $(abspath $(KHDR)) -I$(top_srcdir)/tools/include -I$(selfdir) \
	-D_GNU_SOURCE -Wall -Werror -O2 -static
TOOL_INCLUDES := -isystem $(top_srcdir)/tools/include -isystem $(abspath $(KHDR)) \
	-isystem $(selfdir) -isystem $(selfdir)/vfio/lib/include
TOOL_CFLAGS := $(TOOL_INCLUDES) $(TOOL_EXTRA_INCLUDES) -std=c11 -Wpedantic \
	-Dtypeof=__typeof__ -D_GNU_SOURCE -Wall -Wextra -Werror -O2 -static \
	-Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare

all: $(OUTPUT)/$(TOOL)

include $(selfdir)/vfio/lib/libvfio.mk

# libvfio.mk knows no header dependencies: a libvfio header that changes
# (a struct's layout) must rebuild every object, or the tool and the library
# disagree on it.
LIBVFIO_H := $(shell find $(selfdir)/vfio/lib/include $(selfdir)/vfio/lib/drivers \
	-name '*.h')
$(LIBVFIO_O): $(LIBVFIO_H)

# What the tools share with the VFIO DMA-buf tests
UTIL_H := $(selfdir)/vfio/vfio_dmabuf_util.h

$(OUTPUT)/$(TOOL): $(TOOL).c $(LIBVFIO_O) $(LIBVFIO_H) $(UTIL_H) | $(OUTPUT)
	@grep -nw typeof $<; case $$? in \
	0) echo "$<: typeof is not C11" >&2; exit 1 ;; 1) ;; *) exit 2 ;; esac
	$(CC) $(TOOL_CFLAGS) $< $(LIBVFIO_O) $(LDLIBS) -o $@

$(OUTPUT):
	mkdir -p $@

clean:
	rm -rf $(OUTPUT)/$(TOOL) $(LIBVFIO_OUTPUT)

.PHONY: all clean
