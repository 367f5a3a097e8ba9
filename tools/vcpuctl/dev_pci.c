// SPDX-License-Identifier: GPL-2.0
/*
 * PCI configuration mechanism #1 on a bus with nothing on it: a dword
 * write to 0xcf8 sets CONFIG_ADDRESS (read back as written, which is
 * how Linux's pci_check_type1() finds the mechanism); 0xcfc-0xcff read
 * all ones, the vendor ID of an empty slot, and ignore writes. Byte
 * 0xcf9 is the reset control register of PC chipsets: writing bit 2
 * (reset CPU) asks for a reset, which is how Linux's reboot=pci resets.
 */
#include <string.h>

#include "platform.h"

#define RST_CPU	0x04

void pci_pio(struct pci *p, uint16_t port, bool out, unsigned int size,
	     uint8_t *data)
{
	uint32_t v;

	if (port == 0xcf8 && size == 4) {
		if (out) {
			memcpy(&v, data, 4);
			p->address = v & 0x80fffffc;
		} else {
			memcpy(data, &p->address, 4);
		}
		return;
	}
	if (port == 0xcf9 && size == 1) {
		if (!out) {
			*data = p->reset_ctl;
			return;
		}
		p->reset_ctl = *data & 0x0e;
		if (*data & RST_CPU)
			p->reset = true;
		return;
	}
	/* Data ports, and any other width at 0xcf8-0xcfb. */
	if (!out)
		memset(data, 0xff, size);
}
