// SPDX-License-Identifier: MIT
/* list: the deque behind kvd's list values, a power-of-two ring buffer of element pointers. */
#include "list.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LIST_MIN_CAP 8

struct klist *list_new(void)
{
	return calloc(1, sizeof(struct klist));
}

void list_clear(struct klist *l)
{
	for (size_t i = 0; i < l->len; i++)
		blob_free(list_at(l, i));
	l->len = 0;
	l->head = 0;
}

void list_free(struct klist *l)
{
	if (!l)
		return;
	list_clear(l);
	free(l->buf);
	free(l);
}

size_t list_length(const struct klist *l)
{
	return l->len;
}

void list_visit(const struct klist *l, kobj_visit_fn fn, void *ctx)
{
	for (size_t i = 0; i < l->len; i++) {
		const struct blob *b = list_at(l, i);
		fn(ctx, b->data, b->len, NULL, 0, 0);
	}
}

/* Moves the elements into a new buffer of ncap slots (>= len), head at slot 0. 0 or -ENOMEM. */
static int list_resize(struct klist *l, size_t ncap)
{
	struct blob **nb = malloc(ncap * sizeof(*nb));
	if (!nb)
		return -ENOMEM;
	if (l->len) {
		/* The elements are at most two runs: head..end of buffer, then 0..wrap. */
		size_t first = l->cap - l->head < l->len ? l->cap - l->head : l->len;
		memcpy(nb, l->buf + l->head, first * sizeof(*nb));
		memcpy(nb + first, l->buf, (l->len - first) * sizeof(*nb));
	}
	free(l->buf);
	l->buf = nb;
	l->cap = ncap;
	l->head = 0;
	return 0;
}

static int list_grow(struct klist *l)
{
	if (l->len < l->cap)
		return 0;
	return list_resize(l, l->cap ? l->cap * 2 : LIST_MIN_CAP);
}

/* Gives memory back when a list that was long is now mostly empty; failure is harmless. */
static void list_shrink(struct klist *l)
{
	if (l->cap > 64 && l->len < l->cap / 8)
		(void)list_resize(l, l->cap / 4);
}

int list_push_head(struct klist *l, struct blob *b)
{
	if (list_grow(l) < 0)
		return -ENOMEM;
	l->head = (l->head - 1) & (l->cap - 1);
	l->buf[l->head] = b;
	l->len++;
	return 0;
}

int list_push_tail(struct klist *l, struct blob *b)
{
	if (list_grow(l) < 0)
		return -ENOMEM;
	l->buf[(l->head + l->len) & (l->cap - 1)] = b;
	l->len++;
	return 0;
}

struct blob *list_pop_head(struct klist *l)
{
	if (!l->len)
		return NULL;
	struct blob *b = l->buf[l->head];
	l->head = (l->head + 1) & (l->cap - 1);
	l->len--;
	list_shrink(l);
	return b;
}

struct blob *list_pop_tail(struct klist *l)
{
	if (!l->len)
		return NULL;
	struct blob *b = list_at(l, l->len - 1);
	l->len--;
	list_shrink(l);
	return b;
}

static struct blob **list_slot(struct klist *l, size_t i)
{
	return &l->buf[(l->head + i) & (l->cap - 1)];
}

struct blob *list_replace(struct klist *l, size_t i, struct blob *b)
{
	struct blob **slot = list_slot(l, i);
	struct blob *old = *slot;
	*slot = b;
	return old;
}

int list_insert(struct klist *l, size_t i, struct blob *b)
{
	if (list_grow(l) < 0)
		return -ENOMEM;
	/* Shift whichever side is shorter by one slot. */
	if (i < l->len / 2) {
		l->head = (l->head - 1) & (l->cap - 1);
		for (size_t k = 0; k < i; k++)
			*list_slot(l, k) = *list_slot(l, k + 1);
	} else {
		for (size_t k = l->len; k > i; k--)
			*list_slot(l, k) = *list_slot(l, k - 1);
	}
	*list_slot(l, i) = b;
	l->len++;
	return 0;
}

static bool blob_eq(const struct blob *b, const void *p, size_t n)
{
	return b->len == n && memcmp(b->data, p, n) == 0;
}

long list_find(const struct klist *l, const void *p, size_t n, bool from_tail)
{
	for (size_t k = 0; k < l->len; k++) {
		size_t i = from_tail ? l->len - 1 - k : k;
		if (blob_eq(list_at(l, i), p, n))
			return (long)i;
	}
	return -1;
}

size_t list_remove(struct klist *l, const void *p, size_t n, long count)
{
	size_t limit = count == 0 ? SIZE_MAX : count > 0 ? (size_t)count : (size_t) - (count + 1) + 1;
	size_t removed = 0;
	if (count >= 0) {
		/* Compact forward: w is where the next kept element goes. */
		size_t w = 0;
		for (size_t r = 0; r < l->len; r++) {
			struct blob *b = *list_slot(l, r);
			if (removed < limit && blob_eq(b, p, n)) {
				blob_free(b);
				removed++;
			} else {
				*list_slot(l, w++) = b;
			}
		}
	} else {
		/* Compact backward from the tail, then move the head past the freed slots. */
		size_t w = l->len;
		for (size_t r = l->len; r-- > 0;) {
			struct blob *b = *list_slot(l, r);
			if (removed < limit && blob_eq(b, p, n)) {
				blob_free(b);
				removed++;
			} else {
				*list_slot(l, --w) = b;
			}
		}
		l->head = (l->head + w) & (l->cap - 1);
	}
	l->len -= removed;
	if (removed)
		list_shrink(l);
	return removed;
}

void list_keep(struct klist *l, size_t start, size_t count)
{
	for (size_t i = 0; i < start; i++)
		blob_free(*list_slot(l, i));
	for (size_t i = start + count; i < l->len; i++)
		blob_free(*list_slot(l, i));
	if (l->cap)
		l->head = (l->head + start) & (l->cap - 1);
	l->len = count;
	list_shrink(l);
}
