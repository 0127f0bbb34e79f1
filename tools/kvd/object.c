// SPDX-License-Identifier: MIT
/* object: kvd's values (struct kobj) and byte strings (struct blob): making, freeing, describing them. */
#include <stdlib.h>
#include <string.h>

#include "kvd.h"

struct blob *blob_new(const void *p, size_t n)
{
	struct blob *b = malloc(sizeof(*b) + n + 1);

	if (!b)
		return NULL;
	b->len = n;
	if (n)
		memcpy(b->data, p, n);
	b->data[n] = '\0';
	return b;
}

void blob_free(struct blob *b)
{
	free(b);
}

/*
 * A string's bytes are allocated with its kobj (one malloc per SET); APPEND and SETRANGE move
 * them to a buffer of their own when they outgrow it, which kobj_free tells by the pointer.
 */
struct kobj *kobj_new_string(const void *p, size_t n)
{
	struct kobj *o = malloc(sizeof(*o) + n + 1);

	if (!o)
		return NULL;
	o->type = KV_STRING;
	o->u.s.len = o->u.s.cap = n;
	o->u.s.ptr = (char *)(o + 1);
	if (n)
		memcpy(o->u.s.ptr, p, n);
	o->u.s.ptr[n] = '\0';
	return o;
}

static struct kobj *kobj_new(int type)
{
	struct kobj *o = calloc(1, sizeof(*o));

	if (o)
		o->type = (uint8_t)type;
	return o;
}

static struct kobj *kobj_new_dict(int type)
{
	struct kobj *o = kobj_new(type);
	struct dict *d = malloc(sizeof(*d));

	if (!o || !d) {
		free(o);
		free(d);
		return NULL;
	}
	dict_init(d);
	o->u.hash = d; /* u.hash and u.set are the same member's storage */
	return o;
}

struct kobj *kobj_new_hash(void)
{
	return kobj_new_dict(KV_HASH);
}

struct kobj *kobj_new_set(void)
{
	return kobj_new_dict(KV_SET);
}

struct kobj *kobj_new_list(void)
{
	struct kobj *o = kobj_new(KV_LIST);

	if (o && !(o->u.list = list_new())) {
		free(o);
		return NULL;
	}
	return o;
}

struct kobj *kobj_new_zset(void)
{
	struct kobj *o = kobj_new(KV_ZSET);

	if (o && !(o->u.zset = zset_new())) {
		free(o);
		return NULL;
	}
	return o;
}

static void free_blob_val(union dict_val *v)
{
	blob_free(v->ptr);
}

void kobj_free(struct kobj *o)
{
	if (!o)
		return;
	switch (o->type) {
	case KV_STRING:
		if (o->u.s.ptr != (char *)(o + 1))
			free(o->u.s.ptr);
		break;
	case KV_LIST:
		list_free(o->u.list);
		break;
	case KV_HASH:
		dict_destroy(o->u.hash, free_blob_val);
		free(o->u.hash);
		break;
	case KV_SET:
		dict_destroy(o->u.set, NULL);
		free(o->u.set);
		break;
	case KV_ZSET:
		zset_free(o->u.zset);
		break;
	}
	free(o);
}

const char *kobj_type_name(const struct kobj *o)
{
	static const char *const names[] = {"string", "list", "hash", "set", "zset"};

	return o && o->type <= KV_ZSET ? names[o->type] : "none";
}

size_t kobj_length(const struct kobj *o)
{
	switch (o->type) {
	case KV_LIST:
		return list_length(o->u.list);
	case KV_HASH:
	case KV_SET:
		return dict_size(o->u.hash);
	case KV_ZSET:
		return zset_length(o->u.zset);
	default:
		return 1;
	}
}

void kobj_visit(const struct kobj *o, kobj_visit_fn fn, void *ctx)
{
	struct dict_iter it;
	struct dict_entry *e;

	switch (o->type) {
	case KV_STRING:
		fn(ctx, o->u.s.ptr, o->u.s.len, NULL, 0, 0);
		break;
	case KV_LIST:
		list_visit(o->u.list, fn, ctx);
		break;
	case KV_ZSET:
		zset_visit(o->u.zset, fn, ctx);
		break;
	case KV_HASH:
	case KV_SET:
		dict_iter_init(o->u.hash, &it);
		while ((e = dict_iter_next(&it))) {
			const struct blob *v = o->type == KV_HASH ? e->v.ptr : NULL;
			fn(ctx, e->key, e->klen, v ? v->data : NULL, v ? v->len : 0, 0);
		}
		dict_iter_done(&it);
		break;
	}
}

static int cmp_ptr(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (void *const *)a, y = (uintptr_t) * (void *const *)b;
	return x < y ? -1 : x > y;
}

/*
 * Redis's CASE 3 and 4 of SRANDMEMBER: when count is a large share of the set, every entry is
 * listed and a random count of them kept (a partial shuffle); else random picks are drawn until
 * count distinct ones are in, duplicates found by sorting the pointers.
 */
size_t dict_random_unique(struct dict *d, size_t count, struct dict_entry **out)
{
	size_t size = dict_size(d), n = 0;

	if (count * 3 > size) {
		struct dict_entry **all = malloc(size * sizeof(*all)), *e;
		struct dict_iter it;
		if (!all)
			return 0;
		dict_iter_init(d, &it);
		while ((e = dict_iter_next(&it)))
			all[n++] = e;
		dict_iter_done(&it);
		for (size_t i = 0; i < count; i++) {
			size_t j = i + (size_t)random() % (n - i);
			struct dict_entry *t = all[i];
			all[i] = all[j];
			all[j] = t;
		}
		memcpy(out, all, count * sizeof(*out));
		free(all);
		return count;
	}
	while (n < count) {
		size_t kept = 1;
		while (n < count)
			out[n++] = dict_random(d);
		qsort(out, n, sizeof(*out), cmp_ptr);
		for (size_t i = 1; i < n; i++)
			if (out[i] != out[kept - 1])
				out[kept++] = out[i];
		n = kept;
	}
	/* Sorted by address: shuffle so that the reply's order is random too. */
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)random() % i;
		struct dict_entry *t = out[i - 1];
		out[i - 1] = out[j];
		out[j] = t;
	}
	return n;
}
