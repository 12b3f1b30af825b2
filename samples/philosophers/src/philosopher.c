/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A philosopher: sits at the first free seat of the fork server's table,
 * then thinks and eats (each a random 1..CONFIG_PHILOSOPHERS_THINK_MAX_MS or
 * ..._EAT_MAX_MS) until his seat has had CONFIG_PHILOSOPHERS_MEALS meals,
 * and leaves. One line per meal.
 *
 * With CONFIG_PHILOSOPHERS_CRASH_MEAL, the philosopher at seat
 * CONFIG_PHILOSOPHERS_CRASH_SEAT dies (a store to address 0) while eating
 * that meal, forks in hand. Whoever takes the seat after him carries on
 * from the seat's count, past that meal, so he does not die again.
 */
#include <stdint.h>
#include <stdio.h>
#include <unistd.h>
#include <rvos/service.h>
#include <rvos/user.h>
#include "forks.h"

static uint32_t rnd_state;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

/* A random 1..max_ms milliseconds. */
static void pause_ms(uint32_t max_ms)
{
	usleep((useconds_t)(1 + rnd() % max_ms) * 1000);
}

int main(void)
{
	uint8_t rbuf[CONFIG_MSG_MAX_BYTES];
	struct wire_reader r;
	uint32_t seat = 0, meals = 0, meal = 0;
	rv_handle_t table;
	int ret;

	ret = rv_connect_wait(FORKS_SERVICE, &table, rv_clock_ns() + 10000000000ull);
	if (ret < 0) {
		printf("philosopher: no fork server: %s\n", rv_strerror(ret));
		return 1;
	}
	ret = forks_call(table, FORKS_OP_SIT, &r, rbuf);
	if (ret == 0) {
		wire_get_u32(&r, &seat);
		wire_get_u32(&r, &meals);
		ret = wire_end(&r);
	}
	if (ret < 0) {
		printf("philosopher: no seat: %s\n", rv_strerror(ret));
		return 1;
	}
	if (meals)
		printf("philosopher %u: a newcomer (pid %ld) takes seat %u, which had %u meals\n",
		       seat, rv_getpid(), seat, meals);
	else
		printf("philosopher %u: sits down (pid %ld)\n", seat, rv_getpid());
	rnd_state = (uint32_t)(rv_getpid() * 2654435761u) ^ (uint32_t)rv_clock_ns() ^ 1u;

	while (meals < CONFIG_PHILOSOPHERS_MEALS) {
		pause_ms(CONFIG_PHILOSOPHERS_THINK_MAX_MS);
		ret = forks_call(table, FORKS_OP_TAKE, &r, rbuf);
		if (ret == 0) {
			wire_get_u32(&r, &meal);
			ret = wire_end(&r);
		}
		if (ret < 0) {
			printf("philosopher %u: cannot take the forks: %s\n", seat, rv_strerror(ret));
			return 1;
		}
		printf("philosopher %u: eats meal %u\n", seat, meal);
		if (CONFIG_PHILOSOPHERS_CRASH_MEAL && seat == CONFIG_PHILOSOPHERS_CRASH_SEAT &&
		    meal == CONFIG_PHILOSOPHERS_CRASH_MEAL) {
			printf("philosopher %u: dies with forks %u and %u in hand\n", seat, seat,
			       (seat + 1) % FORKS_SEATS);
			*(volatile uint32_t *)0 = 0xdead;
		}
		pause_ms(CONFIG_PHILOSOPHERS_EAT_MAX_MS);
		ret = forks_call(table, FORKS_OP_PUT, &r, rbuf);
		if (ret == 0)
			ret = wire_end(&r);
		if (ret < 0) {
			printf("philosopher %u: cannot put the forks down: %s\n", seat,
			       rv_strerror(ret));
			return 1;
		}
		meals = meal;
	}
	printf("philosopher %u: %u meals at seat %u, leaves the table\n", seat, meals, seat);
	return 0;
}
