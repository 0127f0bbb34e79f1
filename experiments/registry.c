// SPDX-License-Identifier: MIT
/* registry: the one table of experiments the driver reads. Add an experiment here. */
#include "experiment.h"

extern const struct experiment exp_falseshare, exp_c2c, exp_ring, exp_bqueue, exp_syslat;
extern const struct experiment exp_jail, exp_kv;

const struct experiment *const exp_table[] = {
	&exp_falseshare, &exp_c2c, &exp_ring, &exp_bqueue, &exp_syslat,
	&exp_jail, &exp_kv,
};
const int exp_table_len = sizeof exp_table / sizeof exp_table[0];
