// SPDX-License-Identifier: GPL-2.0-only
/*
 * digitmap.c - Cisco/Grandstream style dial plans.  See digitmap.h.
 *
 * Each alternative compiles to a short list of elements and is run as a
 * nondeterministic automaton: state i means "the next symbol is for element
 * i", state n (the element count) means "complete".  An element that
 * repeats or only inserts text can be skipped without input, so the state
 * set is closed forward after every step.  With at most 63 elements the
 * states 0..63 fit one uint64_t.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "line/digitmap.h"

/* Symbols are numbered 0-9 for the digits, 10 for '*', 11 for '#'. */
#define SYM_STAR 10
#define SYM_HASH 11
#define SET_DIGITS 0x3ffu

enum dm_elem_kind {
	DM_ELEM_MATCH,	/* consumes one symbol out of set */
	DM_ELEM_INSERT,	/* consumes nothing, adds text to the number */
};

struct dm_elem {
	enum dm_elem_kind kind;
	uint16_t set;		/* DM_ELEM_MATCH: bit per accepted symbol */
	bool repeat;		/* DM_ELEM_MATCH: followed by '.' */
	bool emit;		/* DM_ELEM_MATCH: the symbol goes to the number */
	uint8_t ins_off;	/* DM_ELEM_INSERT: text in dm_alt.inserts */
	uint8_t ins_len;
};

struct dm_alt {
	unsigned n_elems;
	bool timer;		/* ends in 'T' */
	unsigned n_inserts;
	struct dm_elem elems[DIGITMAP_ELEMENTS_MAX];
	char inserts[DIGITMAP_INSERT_MAX];
};

struct digitmap {
	unsigned n_alts;
	struct dm_alt alts[];
};

static const char *const digitmap_result_table[_DIGITMAP_RESULT_MAX] = {
	[DIGITMAP_NOMATCH] = "nomatch",
	[DIGITMAP_PARTIAL] = "partial",
	[DIGITMAP_AMBIGUOUS] = "ambiguous",
	[DIGITMAP_MATCH] = "match",
};

const char *digitmap_result_to_string(enum digitmap_result r)
{
	if ((unsigned)r >= _DIGITMAP_RESULT_MAX)
		return NULL;
	return digitmap_result_table[r];
}

/* Symbol number of @c, or -1 when @c is not 0-9, '*' or '#'. */
static int symbol_of(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == '*')
		return SYM_STAR;
	if (c == '#')
		return SYM_HASH;
	return -1;
}

static char symbol_char(int sym)
{
	if (sym == SYM_STAR)
		return '*';
	if (sym == SYM_HASH)
		return '#';
	return (char)('0' + sym);
}

/* ---- parser ---- */

struct parser {
	const char *s;
	size_t pos;
	char *err;
	size_t errlen;
};

/* Record an error at byte offset @at (reported 1-based); returns -EINVAL. */
__attribute__((format(printf, 3, 4)))
static int parse_error(struct parser *p, size_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!p->err || p->errlen == 0)
		return -EINVAL;
	n = snprintf(p->err, p->errlen, "position %zu: ", at + 1);
	if (n < 0 || (size_t)n >= p->errlen)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(p->err + n, p->errlen - n, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* The same without a position, for errors about the whole map. */
static int map_error(struct parser *p, const char *msg)
{
	if (p->err && p->errlen > 0)
		snprintf(p->err, p->errlen, "%s", msg);
	return -EINVAL;
}

static int unexpected(struct parser *p, size_t at, const char *where)
{
	unsigned char c = (unsigned char)p->s[at];

	if (c >= 0x21 && c < 0x7f)
		return parse_error(p, at, "unexpected '%c'%s", c, where);
	return parse_error(p, at, "unexpected character 0x%02x%s", c, where);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' ||
	       c == '\f';
}

/* Skip whitespace and return the character at the new position. */
static char peek(struct parser *p)
{
	while (is_space(p->s[p->pos]))
		p->pos++;
	return p->s[p->pos];
}

static int add_elem(struct parser *p, struct dm_alt *a, size_t at,
		    struct dm_elem **ret)
{
	if (a->n_elems >= DIGITMAP_ELEMENTS_MAX)
		return parse_error(p, at,
				   "alternative longer than %d elements",
				   DIGITMAP_ELEMENTS_MAX);
	*ret = &a->elems[a->n_elems++];
	memset(*ret, 0, sizeof(**ret));
	return 0;
}

static int add_match(struct parser *p, struct dm_alt *a, size_t at,
		     uint16_t set, bool emit)
{
	struct dm_elem *e = NULL;
	int r;

	r = add_elem(p, a, at, &e);
	if (r < 0)
		return r;
	e->kind = DM_ELEM_MATCH;
	e->set = set;
	e->emit = emit;
	return 0;
}

/* p->pos is at '['; on success it is just past the ']'. */
static int parse_set(struct parser *p, uint16_t *ret_set)
{
	size_t open = p->pos, close;
	uint16_t set = 0;
	int lo, hi;
	char c;

	/* Report a missing ']' before whatever is wrong inside. */
	close = open + 1 + strcspn(p->s + open + 1, "[]|}");
	if (p->s[close] != ']')
		return parse_error(p, open, "unclosed '['");

	p->pos++;
	for (;;) {
		c = peek(p);
		if (c == ']')
			break;
		lo = symbol_of(c);
		if (lo < 0)
			return unexpected(p, p->pos, " in '[...]'");
		p->pos++;
		if (peek(p) != '-') {
			set |= 1u << lo;
			continue;
		}
		p->pos++;
		c = peek(p);
		hi = symbol_of(c);
		if (lo > 9 || hi < 0 || hi > 9 || hi < lo)
			return parse_error(p, p->pos, "bad range in '[...]'");
		p->pos++;
		for (; lo <= hi; lo++)
			set |= 1u << lo;
	}
	if (!set)
		return parse_error(p, open, "empty '[]'");
	p->pos++;
	*ret_set = set;
	return 0;
}

/* p->pos is at '<'; on success it is just past the '>'. */
static int parse_subst(struct parser *p, struct dm_alt *a)
{
	size_t open = p->pos, at;
	unsigned ins_off = a->n_inserts;
	bool from = true, any = false;
	struct dm_elem *e = NULL;
	int sym, r;
	char c;

	p->pos++;
	for (;;) {
		c = peek(p);
		at = p->pos;
		if (c == '\0' || c == '|' || c == '}' || c == '<')
			return parse_error(p, open, "unclosed '<'");
		if (c == '>') {
			if (from)
				return parse_error(p, at,
						   "expected ':' in '<...>'");
			break;
		}
		p->pos++;
		if (c == ':') {
			if (!from)
				return unexpected(p, at, " in '<...>'");
			from = false;
			continue;
		}
		sym = symbol_of(c);
		if (sym < 0)
			return unexpected(p, at, " in '<...>'");
		any = true;
		if (from) {
			r = add_match(p, a, at, 1u << sym, false);
			if (r < 0)
				return r;
		} else {
			if (a->n_inserts >= DIGITMAP_INSERT_MAX)
				return parse_error(p, at,
						   "substitutions insert more than %d symbols",
						   DIGITMAP_INSERT_MAX);
			a->inserts[a->n_inserts++] = c;
		}
	}
	if (!any)
		return parse_error(p, open, "empty substitution '<:>'");
	if (a->n_inserts > ins_off) {
		r = add_elem(p, a, open, &e);
		if (r < 0)
			return r;
		e->kind = DM_ELEM_INSERT;
		e->ins_off = (uint8_t)ins_off;
		e->ins_len = (uint8_t)(a->n_inserts - ins_off);
	}
	p->pos++;
	return 0;
}

/* Parse one alternative; stops at '|', '}' or the end of the text. */
static int parse_alt(struct parser *p, struct dm_alt *a)
{
	struct dm_elem *last;
	size_t at = p->pos;
	unsigned i;
	uint16_t set = 0;
	int sym, r;
	char c;

	for (;;) {
		c = peek(p);
		at = p->pos;
		if (c == '\0' || c == '|' || c == '}')
			break;
		if (a->timer)
			return parse_error(p, at,
					   "'T' must end the alternative");
		sym = symbol_of(c);
		if (sym >= 0 || c == 'x' || c == 'X' || c == '[') {
			if (c == '[') {
				r = parse_set(p, &set);
				if (r < 0)
					return r;
			} else {
				set = sym >= 0 ? 1u << sym : SET_DIGITS;
				p->pos++;
			}
			r = add_match(p, a, at, set, true);
			if (r < 0)
				return r;
		} else if (c == '.') {
			last = a->n_elems ? &a->elems[a->n_elems - 1] : NULL;
			if (!last || last->kind != DM_ELEM_MATCH ||
			    !last->emit || last->repeat)
				return parse_error(p, at,
						   "'.' must follow a digit, 'x' or '[...]'");
			last->repeat = true;
			p->pos++;
		} else if (c == 'T' || c == 't') {
			a->timer = true;
			p->pos++;
		} else if (c == '<') {
			r = parse_subst(p, a);
			if (r < 0)
				return r;
		} else {
			return unexpected(p, at, "");
		}
	}
	if (a->n_elems == 0 && !a->timer)
		return parse_error(p, at, "empty alternative");
	for (i = 0; i < a->n_elems; i++)
		if (a->elems[i].kind == DM_ELEM_MATCH)
			return 0;
	return parse_error(p, at, "alternative matches no digits");
}

int digitmap_parse(const char *spec, struct digitmap **ret, char *err,
		   size_t errlen)
{
	struct parser p = { .s = spec, .err = err, .errlen = errlen };
	struct digitmap *dm;
	size_t len, bars = 0, i, brace = 0;
	bool braced;
	char c;
	int r;

	if (err && errlen)
		err[0] = '\0';
	if (!spec || !ret)
		return -EINVAL;
	len = strnlen(spec, DIGITMAP_SPEC_MAX + 1);
	if (len > DIGITMAP_SPEC_MAX) {
		if (err && errlen)
			snprintf(err, errlen,
				 "digit map longer than %d characters",
				 DIGITMAP_SPEC_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		bars += spec[i] == '|';
	if (bars >= DIGITMAP_ALTERNATIVES_MAX) {
		if (err && errlen)
			snprintf(err, errlen,
				 "digit map has more than %d alternatives",
				 DIGITMAP_ALTERNATIVES_MAX);
		return -EINVAL;
	}

	c = peek(&p);
	braced = c == '{';
	if (braced) {
		brace = p.pos++;
		c = peek(&p);
	}
	if (c == '\0' || (braced && c == '}'))
		return map_error(&p, "empty digit map");

	dm = calloc(1, sizeof(*dm) + (bars + 1) * sizeof(dm->alts[0]));
	if (!dm)
		return -ENOMEM;

	for (;;) {
		r = parse_alt(&p, &dm->alts[dm->n_alts++]);
		if (r < 0)
			goto fail;
		if (p.s[p.pos] != '|')
			break;
		p.pos++;
	}

	if (p.s[p.pos] == '}') {
		if (!braced) {
			r = parse_error(&p, p.pos, "unexpected '}'");
			goto fail;
		}
		p.pos++;
		if (peek(&p) != '\0') {
			r = unexpected(&p, p.pos, " after '}'");
			goto fail;
		}
	} else if (braced) {
		r = parse_error(&p, brace, "unclosed '{'");
		goto fail;
	}

	*ret = dm;
	return 0;

fail:
	free(dm);
	return r;
}

struct digitmap *digitmap_free(struct digitmap *dm)
{
	free(dm);
	return NULL;
}

/* ---- matcher ---- */

/* Follow the moves that need no input: past repeats and insertions. */
static uint64_t closure(const struct dm_alt *a, uint64_t states)
{
	unsigned i;

	for (i = 0; i < a->n_elems; i++)
		if ((states & (1ull << i)) &&
		    (a->elems[i].kind == DM_ELEM_INSERT || a->elems[i].repeat))
			states |= 1ull << (i + 1);
	return states;
}

static uint64_t step(const struct dm_alt *a, uint64_t states, int sym)
{
	uint64_t next = 0;
	unsigned i;

	for (i = 0; i < a->n_elems; i++) {
		const struct dm_elem *e = &a->elems[i];

		if (!(states & (1ull << i)) || e->kind != DM_ELEM_MATCH ||
		    !(e->set & (1u << sym)))
			continue;
		next |= 1ull << (e->repeat ? i : i + 1);
	}
	return closure(a, next);
}

struct alt_state {
	bool alive;	/* some state left: the digits are a prefix */
	bool complete;	/* the digits are a whole match */
	bool extend;	/* one more symbol could still be accepted */
};

static struct alt_state run_alt(const struct dm_alt *a, const uint8_t *syms,
				size_t len)
{
	struct alt_state st = { 0 };
	uint64_t states = closure(a, 1);
	unsigned i;
	size_t k;

	for (k = 0; k < len && states; k++)
		states = step(a, states, syms[k]);
	st.alive = states != 0;
	st.complete = states & (1ull << a->n_elems);
	for (i = 0; i < a->n_elems; i++)
		if ((states & (1ull << i)) &&
		    a->elems[i].kind == DM_ELEM_MATCH)
			st.extend = true;
	return st;
}

struct walk {
	const struct dm_alt *a;
	const uint8_t *syms;
	size_t len;
	char *out;		/* DIGITMAP_NUMBER_MAX bytes */
	/* dead[i][k]: no way to the end from element i at symbol k */
	bool dead[DIGITMAP_ELEMENTS_MAX + 1][DIGITMAP_DIGITS_MAX + 1];
};

/*
 * Find one path that consumes all the symbols, repeats taking as much as
 * they can, and write the number it produces.  Memoised on (element,
 * symbol), so linear in elements times symbols.
 */
static bool walk(struct walk *w, unsigned i, size_t k, size_t o,
		 size_t *ret_len)
{
	const struct dm_elem *e;

	if (w->dead[i][k])
		return false;
	if (i == w->a->n_elems) {
		if (k == w->len) {
			*ret_len = o;
			return true;
		}
		goto dead;
	}
	e = &w->a->elems[i];
	if (e->kind == DM_ELEM_INSERT) {
		memcpy(w->out + o, w->a->inserts + e->ins_off, e->ins_len);
		if (walk(w, i + 1, k, o + e->ins_len, ret_len))
			return true;
		goto dead;
	}
	if (k < w->len && (e->set & (1u << w->syms[k]))) {
		if (e->emit)
			w->out[o] = symbol_char(w->syms[k]);
		if (walk(w, e->repeat ? i : i + 1, k + 1, o + e->emit, ret_len))
			return true;
	}
	if (e->repeat && walk(w, i + 1, k, o, ret_len))
		return true;
dead:
	w->dead[i][k] = true;
	return false;
}

static enum digitmap_result matched(const struct dm_alt *a,
				    const uint8_t *syms, size_t len,
				    char *ret_number, size_t number_len)
{
	char out[DIGITMAP_NUMBER_MAX];
	struct walk w = {
		.a = a, .syms = syms, .len = len, .out = out,
	};
	size_t n = 0;

	if (!walk(&w, 0, 0, 0, &n))
		return DIGITMAP_NOMATCH;	/* cannot happen: complete */
	if (!ret_number)
		return DIGITMAP_MATCH;
	if (n >= number_len)
		return DIGITMAP_NOMATCH;
	memcpy(ret_number, out, n);
	ret_number[n] = '\0';
	return DIGITMAP_MATCH;
}

enum digitmap_result digitmap_match(const struct digitmap *dm,
				    const char *digits, bool timer_expired,
				    char *ret_number, size_t number_len)
{
	const struct dm_alt *plain_done = NULL, *timer_done = NULL, *pick;
	bool plain_alive = false, plain_extend = false, timer_alive = false;
	uint8_t syms[DIGITMAP_DIGITS_MAX];
	size_t len, k;
	unsigned i;
	int sym;

	if (ret_number && number_len)
		ret_number[0] = '\0';
	if (!dm || !digits)
		return DIGITMAP_NOMATCH;
	len = strnlen(digits, DIGITMAP_DIGITS_MAX + 1);
	if (len > DIGITMAP_DIGITS_MAX)
		return DIGITMAP_NOMATCH;
	for (k = 0; k < len; k++) {
		sym = symbol_of(digits[k]);
		if (sym < 0)
			return DIGITMAP_NOMATCH;
		syms[k] = (uint8_t)sym;
	}

	for (i = 0; i < dm->n_alts; i++) {
		const struct dm_alt *a = &dm->alts[i];
		struct alt_state st = run_alt(a, syms, len);

		if (a->timer) {
			timer_alive |= st.alive;
			if (st.complete && !timer_done)
				timer_done = a;
		} else {
			plain_alive |= st.alive;
			plain_extend |= st.extend;
			if (st.complete && !plain_done)
				plain_done = a;
		}
	}

	if (len == 0)
		return plain_alive || timer_alive ? DIGITMAP_PARTIAL :
						    DIGITMAP_NOMATCH;

	if (timer_expired) {
		pick = plain_done ? plain_done : timer_done;
		if (!pick)
			return DIGITMAP_NOMATCH;
		return matched(pick, syms, len, ret_number, number_len);
	}

	if (plain_done) {
		if (plain_extend)
			return DIGITMAP_AMBIGUOUS;
		return matched(plain_done, syms, len, ret_number, number_len);
	}
	if (plain_alive)
		return DIGITMAP_PARTIAL;
	if (timer_done)
		return DIGITMAP_AMBIGUOUS;
	if (timer_alive)
		return DIGITMAP_PARTIAL;
	return DIGITMAP_NOMATCH;
}
