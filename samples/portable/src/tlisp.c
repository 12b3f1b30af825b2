/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tlisp: a small Lisp, written against ISO C and POSIX only (no rvOS
 * header, no #ifdef for any system): the same file builds with the host's
 * gcc and glibc and for rvOS with picolibc, and passes the same tests on
 * both (samples/portable/README.md).
 *
 *   tlisp FILE...        run the scripts
 *   tlisp -e EXPR        evaluate EXPR, print its value
 *   tlisp -t DIR|FILE... test mode: run each NAME.lisp (every one in DIR,
 *                        sorted) with its output captured and compare it
 *                        with NAME.out beside it; one line each, and a
 *                        total; exit status 1 if any differs
 *   tlisp                read a script from the standard input
 *
 * The language: numbers (doubles, printed in the fewest digits that read
 * back exactly, through printf's %.15g/%.16g/%.17g and strtod), strings,
 * symbols, pairs, closures; special forms quote ' if cond define set!
 * lambda let begin while and or; the builtins in the table at the end.
 * Every value is its own malloc'd object; a mark-and-sweep collector frees
 * the unreachable ones (free) after each top-level form, the only time no
 * C code holds one. An error prints "error: ..." and goes on with the next
 * top-level form.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum type { T_NIL, T_TRUE, T_NUM, T_STR, T_SYM, T_PAIR, T_PRIM, T_FUNC };

struct obj;
typedef struct obj *(*prim_fn)(struct obj *args);

struct obj {
	struct obj *next; /* every collectable object, for the sweep */
	unsigned char type;
	unsigned char mark;
	union {
		double num;
		struct {
			char *chars;
			size_t len;
		} str;
		struct {
			char *name;
			struct obj *value; /* the global binding, NULL: none */
			struct obj *chain; /* the symbol table's bucket */
		} sym;
		struct {
			struct obj *car, *cdr;
		} pair;
		struct {
			const char *name;
			prim_fn fn;
		} prim;
		struct {
			struct obj *params, *body, *env;
		} func;
	};
};

static struct obj nil_obj = { .type = T_NIL }, true_obj = { .type = T_TRUE };
#define NIL (&nil_obj)
#define TRUE (&true_obj)

static struct obj *all_objects;	 /* collectable ones, newest first */
static unsigned long live, allocated_total, freed_total;
static struct obj **symtab;	 /* buckets of symbols (never freed) */
static size_t symtab_size, symbols;
static jmp_buf on_error;
static struct obj *s_quote, *s_if, *s_cond, *s_define, *s_set, *s_lambda, *s_let, *s_begin,
	*s_while, *s_and, *s_or, *s_else;

/* ---- output: stdout, or a growing buffer in test mode ---- */

static char *capture;
static size_t capture_len, capture_cap;
static bool capturing;

static void emit(const char *s, size_t n)
{
	if (!capturing) {
		fwrite(s, 1, n, stdout);
		return;
	}
	if (capture_len + n + 1 > capture_cap) {
		size_t cap = capture_cap ? capture_cap : 256;
		char *p;

		while (capture_len + n + 1 > cap)
			cap *= 2;
		p = realloc(capture, cap);
		if (!p) {
			fprintf(stderr, "tlisp: out of memory for the output\n");
			exit(2);
		}
		capture = p;
		capture_cap = cap;
	}
	memcpy(capture + capture_len, s, n);
	capture_len += n;
	capture[capture_len] = 0;
}

static void emits(const char *s)
{
	emit(s, strlen(s));
}

static void error(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	emits("error: ");
	emit(buf, n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	emits("\n");
	longjmp(on_error, 1);
}

/* ---- objects ---- */

static void *xmalloc(size_t n)
{
	void *p = malloc(n);

	if (!p) {
		fprintf(stderr, "tlisp: out of memory (%zu bytes)\n", n);
		exit(2);
	}
	return p;
}

static struct obj *new_obj(enum type type)
{
	struct obj *o = xmalloc(sizeof(*o));

	o->type = (unsigned char)type;
	o->mark = 0;
	o->next = all_objects;
	all_objects = o;
	live++;
	allocated_total++;
	return o;
}

static struct obj *num(double v)
{
	struct obj *o = new_obj(T_NUM);

	o->num = v;
	return o;
}

static struct obj *str_n(const char *s, size_t n)
{
	struct obj *o = new_obj(T_STR);

	o->str.chars = xmalloc(n + 1);
	memcpy(o->str.chars, s, n);
	o->str.chars[n] = 0;
	o->str.len = n;
	return o;
}

static struct obj *cons(struct obj *car, struct obj *cdr)
{
	struct obj *o = new_obj(T_PAIR);

	o->pair.car = car;
	o->pair.cdr = cdr;
	return o;
}

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

static void symtab_grow(void)
{
	size_t size = symtab_size ? symtab_size * 2 : 64;
	struct obj **t = xmalloc(size * sizeof(*t));

	for (size_t i = 0; i < size; i++)
		t[i] = NULL;
	for (size_t i = 0; i < symtab_size; i++) {
		while (symtab[i]) {
			struct obj *s = symtab[i];

			symtab[i] = s->sym.chain;
			s->sym.chain = t[hash(s->sym.name) % size];
			t[hash(s->sym.name) % size] = s;
		}
	}
	free(symtab);
	symtab = t;
	symtab_size = size;
}

/* The one symbol of this name (symbols live outside the collector). */
static struct obj *intern(const char *name)
{
	struct obj *s;

	if (symbols >= symtab_size)
		symtab_grow();
	for (s = symtab[hash(name) % symtab_size]; s; s = s->sym.chain)
		if (strcmp(s->sym.name, name) == 0)
			return s;
	s = xmalloc(sizeof(*s));
	s->type = T_SYM;
	s->mark = 0;
	s->next = NULL;
	s->sym.name = xmalloc(strlen(name) + 1);
	strcpy(s->sym.name, name);
	s->sym.value = NULL;
	s->sym.chain = symtab[hash(name) % symtab_size];
	symtab[hash(name) % symtab_size] = s;
	symbols++;
	return s;
}

/* ---- the collector ---- */

static void mark(struct obj *o)
{
	/* Iterative along cdrs, recursive along cars: long lists cost no
	 * stack. */
	while (o && !o->mark) {
		if (o == NIL || o == TRUE || o->type == T_SYM)
			return; /* not collected: static, or in the symbol table */
		o->mark = 1;
		switch (o->type) {
		case T_PAIR:
			mark(o->pair.car);
			o = o->pair.cdr;
			break;
		case T_FUNC:
			mark(o->func.params);
			mark(o->func.body);
			o = o->func.env;
			break;
		default:
			return;
		}
	}
}

static void free_obj(struct obj *o)
{
	if (o->type == T_STR)
		free(o->str.chars);
	free(o);
}

/* Frees every object no global binding reaches; returns how many. */
static unsigned long collect(void)
{
	struct obj **p = &all_objects;
	unsigned long freed = 0;

	for (size_t i = 0; i < symtab_size; i++)
		for (struct obj *s = symtab[i]; s; s = s->sym.chain)
			mark(s->sym.value);
	while (*p) {
		struct obj *o = *p;

		if (o->mark) {
			o->mark = 0;
			p = &o->next;
		} else {
			*p = o->next;
			free_obj(o);
			freed++;
		}
	}
	live -= freed;
	freed_total += freed;
	return freed;
}

/* ---- printing ---- */

/* The fewest digits that read back as v. For a normal number %.15g is
 * the shortest when that has at most 15 digits (a double has 15.95: the
 * nearest 15-digit decimal is the shortest one, its zeros dropped), else
 * 16, else 17; a subnormal one has fewer bits, so from 1 digit up. */
static void format_number(double v, char *buf, size_t size)
{
	for (int p = fabs(v) < 2.2250738585072014e-308 && v != 0 ? 1 : 15; p <= 17; p++) {
		snprintf(buf, size, "%.*g", p, v);
		if (strtod(buf, NULL) == v || v != v)
			return;
	}
}

static void print_obj(struct obj *o, bool readable);

static void print_list(struct obj *o, bool readable)
{
	emits("(");
	for (;;) {
		print_obj(o->pair.car, readable);
		o = o->pair.cdr;
		if (o->type != T_PAIR)
			break;
		emits(" ");
	}
	if (o != NIL) {
		emits(" . ");
		print_obj(o, readable);
	}
	emits(")");
}

static void print_obj(struct obj *o, bool readable)
{
	char buf[40];

	switch (o->type) {
	case T_NIL:
		emits("()");
		break;
	case T_TRUE:
		emits("t");
		break;
	case T_NUM:
		format_number(o->num, buf, sizeof(buf));
		emits(buf);
		break;
	case T_STR:
		if (!readable) {
			emit(o->str.chars, o->str.len);
			break;
		}
		emits("\"");
		for (size_t i = 0; i < o->str.len; i++) {
			char c = o->str.chars[i];

			if (c == '"' || c == '\\')
				emits("\\");
			if (c == '\n')
				emits("\\n");
			else
				emit(&c, 1);
		}
		emits("\"");
		break;
	case T_SYM:
		emits(o->sym.name);
		break;
	case T_PAIR:
		print_list(o, readable);
		break;
	case T_PRIM:
		emits("#<builtin ");
		emits(o->prim.name);
		emits(">");
		break;
	case T_FUNC:
		emits("#<lambda>");
		break;
	}
}

/* ---- reading ---- */

struct reader {
	const char *p;
	int line;
};

static void skip_space(struct reader *r)
{
	for (;;) {
		while (isspace((unsigned char)*r->p)) {
			if (*r->p == '\n')
				r->line++;
			r->p++;
		}
		if (*r->p != ';')
			return;
		while (*r->p && *r->p != '\n')
			r->p++;
	}
}

static bool is_delimiter(char c)
{
	return !c || isspace((unsigned char)c) || strchr("()';\"", c);
}

static struct obj *read_obj(struct reader *r);

static struct obj *read_list(struct reader *r)
{
	struct obj *head = NIL, **tail = &head;

	for (;;) {
		skip_space(r);
		if (!*r->p)
			error("line %d: a list is not closed", r->line);
		if (*r->p == ')') {
			r->p++;
			return head;
		}
		if (*r->p == '.' && is_delimiter(r->p[1])) {
			r->p++;
			*tail = read_obj(r);
			skip_space(r);
			if (*r->p != ')')
				error("line %d: more after a dotted pair's cdr", r->line);
			r->p++;
			return head;
		}
		*tail = cons(read_obj(r), NIL);
		tail = &(*tail)->pair.cdr;
	}
}

static struct obj *read_string(struct reader *r)
{
	size_t cap = 16, n = 0;
	char *buf = xmalloc(cap);
	struct obj *o;

	for (r->p++; *r->p != '"'; r->p++) {
		char c = *r->p;

		if (!c) {
			free(buf);
			error("line %d: a string is not closed", r->line);
		}
		if (c == '\\' && r->p[1]) {
			c = *++r->p;
			c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
		}
		if (c == '\n')
			r->line++;
		if (n + 1 >= cap) {
			char *p = realloc(buf, cap *= 2);

			if (!p) {
				free(buf);
				error("out of memory");
			}
			buf = p;
		}
		buf[n++] = c;
	}
	r->p++;
	o = str_n(buf, n);
	free(buf);
	return o;
}

/* An atom: a number if strtod takes all of it, else a symbol. */
static struct obj *read_atom(struct reader *r)
{
	const char *start = r->p;
	char name[128], *end;
	size_t n;
	double v;

	while (!is_delimiter(*r->p))
		r->p++;
	n = (size_t)(r->p - start);
	if (n >= sizeof(name))
		error("line %d: an atom longer than %zu characters", r->line, sizeof(name) - 1);
	memcpy(name, start, n);
	name[n] = 0;
	v = strtod(name, &end);
	if (end == name + n && n > 0 && (isdigit((unsigned char)name[0]) || name[0] == '.' ||
					  ((name[0] == '-' || name[0] == '+') && n > 1)))
		return num(v);
	if (strcmp(name, "t") == 0)
		return TRUE;
	if (strcmp(name, "nil") == 0)
		return NIL;
	return intern(name);
}

static struct obj *read_obj(struct reader *r)
{
	skip_space(r);
	switch (*r->p) {
	case 0:
		error("line %d: the input ends inside an expression", r->line);
		return NIL;
	case '(':
		r->p++;
		return read_list(r);
	case ')':
		r->p++;
		error("line %d: an unexpected )", r->line);
		return NIL;
	case '\'':
		r->p++;
		return cons(s_quote, cons(read_obj(r), NIL));
	case '"':
		return read_string(r);
	default:
		return read_atom(r);
	}
}

/* ---- evaluation ---- */

static struct obj *eval(struct obj *x, struct obj *env);

static struct obj *car(struct obj *o)
{
	if (o->type != T_PAIR)
		error("car of a non-pair");
	return o->pair.car;
}

static struct obj *cdr(struct obj *o)
{
	if (o->type != T_PAIR)
		error("cdr of a non-pair");
	return o->pair.cdr;
}

static struct obj *lookup(struct obj *sym, struct obj *env)
{
	for (; env != NIL; env = env->pair.cdr)
		for (struct obj *f = env->pair.car; f != NIL; f = f->pair.cdr)
			if (f->pair.car->pair.car == sym)
				return f->pair.car;
	return NULL;
}

static struct obj *get(struct obj *sym, struct obj *env)
{
	struct obj *b = lookup(sym, env);

	if (b)
		return b->pair.cdr;
	if (!sym->sym.value)
		error("%s is not defined", sym->sym.name);
	return sym->sym.value;
}

static struct obj *eval_body(struct obj *body, struct obj *env)
{
	struct obj *v = NIL;

	for (; body != NIL; body = cdr(body))
		v = eval(car(body), env);
	return v;
}

static struct obj *apply(struct obj *f, struct obj *args)
{
	struct obj *frame = NIL, *p;

	if (f->type == T_PRIM)
		return f->prim.fn(args);
	if (f->type != T_FUNC)
		error("not a function");
	for (p = f->func.params; p->type == T_PAIR; p = p->pair.cdr) {
		if (args == NIL)
			error("too few arguments");
		frame = cons(cons(p->pair.car, car(args)), frame);
		args = args->pair.cdr;
	}
	if (p->type == T_SYM) /* (lambda (a . rest) ...) or (lambda args ...) */
		frame = cons(cons(p, args), frame);
	else if (args != NIL)
		error("too many arguments");
	return eval_body(f->func.body, cons(frame, f->func.env));
}

static struct obj *define(struct obj *sym, struct obj *v, struct obj *env)
{
	if (sym->type != T_SYM)
		error("define: not a symbol");
	if (env == NIL)
		sym->sym.value = v;
	else
		env->pair.car = cons(cons(sym, v), env->pair.car);
	return sym;
}

static bool truthy(struct obj *o)
{
	return o != NIL;
}

static struct obj *eval_special(struct obj *head, struct obj *x, struct obj *env, bool *done)
{
	struct obj *rest = cdr(x), *v;

	*done = true;
	if (head == s_quote)
		return car(rest);
	if (head == s_if)
		return truthy(eval(car(rest), env)) ? eval(car(cdr(rest)), env) :
		       cdr(cdr(rest)) != NIL  ? eval(car(cdr(cdr(rest))), env) :
						NIL;
	if (head == s_cond) {
		for (; rest != NIL; rest = cdr(rest)) {
			struct obj *clause = car(rest);

			if (car(clause) == s_else || truthy(eval(car(clause), env)))
				return eval_body(cdr(clause), env);
		}
		return NIL;
	}
	if (head == s_define) {
		struct obj *target = car(rest);

		if (target->type == T_PAIR) { /* (define (f args) body...) */
			struct obj *f = new_obj(T_FUNC);

			f->func.params = cdr(target);
			f->func.body = cdr(rest);
			f->func.env = env;
			return define(car(target), f, env);
		}
		return define(target, eval(car(cdr(rest)), env), env);
	}
	if (head == s_set) {
		struct obj *b = lookup(car(rest), env);

		v = eval(car(cdr(rest)), env);
		if (b)
			b->pair.cdr = v;
		else if (car(rest)->type == T_SYM && car(rest)->sym.value)
			car(rest)->sym.value = v;
		else
			error("set!: not defined");
		return v;
	}
	if (head == s_lambda) {
		struct obj *f = new_obj(T_FUNC);

		f->func.params = car(rest);
		f->func.body = cdr(rest);
		f->func.env = env;
		return f;
	}
	if (head == s_let) {
		struct obj *frame = NIL;

		for (struct obj *b = car(rest); b != NIL; b = cdr(b))
			frame = cons(cons(car(car(b)), eval(car(cdr(car(b))), env)), frame);
		return eval_body(cdr(rest), cons(frame, env));
	}
	if (head == s_begin)
		return eval_body(rest, env);
	if (head == s_while) {
		while (truthy(eval(car(rest), env)))
			eval_body(cdr(rest), env);
		return NIL;
	}
	if (head == s_and || head == s_or) {
		v = head == s_and ? TRUE : NIL;
		for (; rest != NIL; rest = cdr(rest))
			if (truthy(v = eval(car(rest), env)) != (head == s_and))
				break;
		return v;
	}
	*done = false;
	return NIL;
}

static struct obj *eval(struct obj *x, struct obj *env)
{
	struct obj *f, *args = NIL, **tail = &args;
	bool done;

	switch (x->type) {
	case T_SYM:
		return get(x, env);
	case T_PAIR:
		break;
	default:
		return x;
	}
	if (x->pair.car->type == T_SYM) {
		struct obj *v = eval_special(x->pair.car, x, env, &done);

		if (done)
			return v;
	}
	f = eval(x->pair.car, env);
	for (struct obj *a = x->pair.cdr; a != NIL; a = cdr(a)) {
		*tail = cons(eval(car(a), env), NIL);
		tail = &(*tail)->pair.cdr;
	}
	return apply(f, args);
}

/* ---- builtins ---- */

static double arg_num(struct obj *args, int i)
{
	for (; i > 0; i--)
		args = cdr(args);
	if (car(args)->type != T_NUM)
		error("not a number");
	return car(args)->num;
}

static const char *arg_str(struct obj *args, int i)
{
	for (; i > 0; i--)
		args = cdr(args);
	if (car(args)->type != T_STR)
		error("not a string");
	return car(args)->str.chars;
}

static struct obj *bool_obj(bool b)
{
	return b ? TRUE : NIL;
}

static struct obj *p_add(struct obj *a)
{
	double v = 0;

	for (; a != NIL; a = cdr(a))
		v += arg_num(a, 0);
	return num(v);
}

static struct obj *p_mul(struct obj *a)
{
	double v = 1;

	for (; a != NIL; a = cdr(a))
		v *= arg_num(a, 0);
	return num(v);
}

static struct obj *p_sub(struct obj *a)
{
	double v = arg_num(a, 0);

	if (cdr(a) == NIL)
		return num(-v);
	for (a = cdr(a); a != NIL; a = cdr(a))
		v -= arg_num(a, 0);
	return num(v);
}

static struct obj *p_div(struct obj *a)
{
	double v = arg_num(a, 0);

	if (cdr(a) == NIL)
		return num(1 / v);
	for (a = cdr(a); a != NIL; a = cdr(a))
		v /= arg_num(a, 0);
	return num(v);
}

static struct obj *p_lt(struct obj *a) { return bool_obj(arg_num(a, 0) < arg_num(a, 1)); }
static struct obj *p_gt(struct obj *a) { return bool_obj(arg_num(a, 0) > arg_num(a, 1)); }
static struct obj *p_le(struct obj *a) { return bool_obj(arg_num(a, 0) <= arg_num(a, 1)); }
static struct obj *p_ge(struct obj *a) { return bool_obj(arg_num(a, 0) >= arg_num(a, 1)); }
static struct obj *p_numeq(struct obj *a) { return bool_obj(arg_num(a, 0) == arg_num(a, 1)); }
static struct obj *p_mod(struct obj *a) { return num(fmod(arg_num(a, 0), arg_num(a, 1))); }
static struct obj *p_sqrt(struct obj *a) { return num(sqrt(arg_num(a, 0))); }
static struct obj *p_floor(struct obj *a) { return num(floor(arg_num(a, 0))); }
static struct obj *p_ceil(struct obj *a) { return num(ceil(arg_num(a, 0))); }
static struct obj *p_abs(struct obj *a) { return num(fabs(arg_num(a, 0))); }
static struct obj *p_expt(struct obj *a) { return num(pow(arg_num(a, 0), arg_num(a, 1))); }
static struct obj *p_exp(struct obj *a) { return num(exp(arg_num(a, 0))); }
static struct obj *p_log(struct obj *a) { return num(log(arg_num(a, 0))); }
static struct obj *p_sin(struct obj *a) { return num(sin(arg_num(a, 0))); }
static struct obj *p_cos(struct obj *a) { return num(cos(arg_num(a, 0))); }
static struct obj *p_atan(struct obj *a) { return num(atan2(arg_num(a, 0), arg_num(a, 1))); }

static struct obj *p_cons(struct obj *a) { return cons(car(a), car(cdr(a))); }
static struct obj *p_car(struct obj *a) { return car(car(a)); }
static struct obj *p_cdr(struct obj *a) { return cdr(car(a)); }
static struct obj *p_list(struct obj *a) { return a; }
static struct obj *p_nullp(struct obj *a) { return bool_obj(car(a) == NIL); }
static struct obj *p_pairp(struct obj *a) { return bool_obj(car(a)->type == T_PAIR); }
static struct obj *p_numberp(struct obj *a) { return bool_obj(car(a)->type == T_NUM); }
static struct obj *p_stringp(struct obj *a) { return bool_obj(car(a)->type == T_STR); }
static struct obj *p_symbolp(struct obj *a) { return bool_obj(car(a)->type == T_SYM); }
static struct obj *p_not(struct obj *a) { return bool_obj(car(a) == NIL); }
static struct obj *p_eq(struct obj *a) { return bool_obj(car(a) == car(cdr(a))); }

static bool equal(struct obj *x, struct obj *y)
{
	for (;;) {
		if (x == y)
			return true;
		if (x->type != y->type)
			return false;
		switch (x->type) {
		case T_NUM:
			return x->num == y->num;
		case T_STR:
			return x->str.len == y->str.len && !memcmp(x->str.chars, y->str.chars, x->str.len);
		case T_PAIR:
			if (!equal(x->pair.car, y->pair.car))
				return false;
			x = x->pair.cdr;
			y = y->pair.cdr;
			break;
		default:
			return false;
		}
	}
}

static struct obj *p_equal(struct obj *a) { return bool_obj(equal(car(a), car(cdr(a)))); }

static struct obj *p_length(struct obj *a)
{
	double n = 0;
	struct obj *o = car(a);

	if (o->type == T_STR)
		return num((double)o->str.len);
	for (; o != NIL; o = cdr(o))
		n++;
	return num(n);
}

static struct obj *p_reverse(struct obj *a)
{
	struct obj *r = NIL;

	for (struct obj *o = car(a); o != NIL; o = cdr(o))
		r = cons(car(o), r);
	return r;
}

static struct obj *p_append(struct obj *a)
{
	struct obj *head = NIL, **tail = &head;

	for (; a != NIL && cdr(a) != NIL; a = cdr(a))
		for (struct obj *o = car(a); o != NIL; o = cdr(o)) {
			*tail = cons(car(o), NIL);
			tail = &(*tail)->pair.cdr;
		}
	*tail = a == NIL ? NIL : car(a);
	return head;
}

static struct obj *p_map(struct obj *a)
{
	struct obj *head = NIL, **tail = &head;

	for (struct obj *o = car(cdr(a)); o != NIL; o = cdr(o)) {
		*tail = cons(apply(car(a), cons(car(o), NIL)), NIL);
		tail = &(*tail)->pair.cdr;
	}
	return head;
}

static struct obj *p_filter(struct obj *a)
{
	struct obj *head = NIL, **tail = &head;

	for (struct obj *o = car(cdr(a)); o != NIL; o = cdr(o)) {
		if (truthy(apply(car(a), cons(car(o), NIL)))) {
			*tail = cons(car(o), NIL);
			tail = &(*tail)->pair.cdr;
		}
	}
	return head;
}

static struct obj *p_apply(struct obj *a) { return apply(car(a), car(cdr(a))); }

static struct obj *p_display(struct obj *a)
{
	print_obj(car(a), false);
	return NIL;
}

static struct obj *p_write(struct obj *a)
{
	print_obj(car(a), true);
	return NIL;
}

static struct obj *p_newline(struct obj *a)
{
	(void)a;
	emits("\n");
	return NIL;
}

/* (print x ...): each displayed, a space between, a newline after. */
static struct obj *p_print(struct obj *a)
{
	for (struct obj *o = a; o != NIL; o = cdr(o)) {
		print_obj(car(o), false);
		if (cdr(o) != NIL)
			emits(" ");
	}
	emits("\n");
	return NIL;
}

static struct obj *p_string_append(struct obj *a)
{
	size_t n = 0;
	struct obj *s;

	for (struct obj *o = a; o != NIL; o = cdr(o))
		n += strlen(arg_str(o, 0));
	s = str_n("", 0);
	free(s->str.chars);
	s->str.chars = xmalloc(n + 1);
	s->str.len = 0;
	for (struct obj *o = a; o != NIL; o = cdr(o)) {
		memcpy(s->str.chars + s->str.len, car(o)->str.chars, car(o)->str.len);
		s->str.len += car(o)->str.len;
	}
	s->str.chars[n] = 0;
	return s;
}

static struct obj *p_substring(struct obj *a)
{
	const char *s = arg_str(a, 0);
	double from = arg_num(a, 1), to = arg_num(a, 2);

	if (!(from >= 0 && from <= to && to <= (double)strlen(s)))
		error("substring: %g..%g is outside the string", from, to);
	return str_n(s + (size_t)from, (size_t)(to - from));
}

static struct obj *p_string_eq(struct obj *a)
{
	return bool_obj(strcmp(arg_str(a, 0), arg_str(a, 1)) == 0);
}

static struct obj *p_string_lt(struct obj *a)
{
	return bool_obj(strcmp(arg_str(a, 0), arg_str(a, 1)) < 0);
}

static struct obj *p_number_to_string(struct obj *a)
{
	char buf[40];

	format_number(arg_num(a, 0), buf, sizeof(buf));
	return str_n(buf, strlen(buf));
}

/* (string->number s): the number if strtod takes all of s, else (). */
static struct obj *p_string_to_number(struct obj *a)
{
	const char *s = arg_str(a, 0);
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end)
		return NIL;
	return num(v);
}

/* Whether fmt has one conversion, %[flags][width][.precision] and one
 * of e f g a (or upper case), and no other '%'. */
static bool one_float_conversion(const char *fmt)
{
	const char *p = strchr(fmt, '%');

	if (!p)
		return false;
	p++;
	p += strspn(p, "-+ #0");
	p += strspn(p, "0123456789");
	if (*p == '.')
		p += 1 + strspn(p + 1, "0123456789");
	return *p && strchr("eEfFgGaA", *p) && !strchr(p + 1, '%');
}

/* (format-number x "%...") with exactly one floating-point conversion:
 * printf's digits, whatever the precision. */
static struct obj *p_format_number(struct obj *a)
{
	const char *fmt = arg_str(a, 1);
	size_t n;
	char *buf;
	struct obj *s;

	if (!one_float_conversion(fmt))
		error("format-number: the format needs one %%e %%f %%g or %%a and no other %%");
	n = (size_t)snprintf(NULL, 0, fmt, arg_num(a, 0));
	buf = xmalloc(n + 1);
	snprintf(buf, n + 1, fmt, arg_num(a, 0));
	s = str_n(buf, n);
	free(buf);
	return s;
}

static struct obj *p_symbol_to_string(struct obj *a)
{
	if (car(a)->type != T_SYM)
		error("not a symbol");
	return str_n(car(a)->sym.name, strlen(car(a)->sym.name));
}

/* ---- files ---- */

static struct obj *p_write_file(struct obj *a)
{
	const char *path = arg_str(a, 0), *text = arg_str(a, 1);
	FILE *f = fopen(path, "w");
	size_t n;

	if (!f)
		error("cannot write %s (errno %d)", path, errno);
	n = fwrite(text, 1, car(cdr(a))->str.len, f);
	if (fclose(f) != 0)
		error("cannot write %s", path);
	return num((double)n);
}

static char *slurp(FILE *f, size_t *len)
{
	size_t cap = 4096, n = 0, got;
	char *buf = xmalloc(cap);

	while ((got = fread(buf + n, 1, cap - n - 1, f)) > 0) {
		n += got;
		if (n + 1 == cap) {
			char *p = realloc(buf, cap *= 2);

			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
		}
	}
	buf[n] = 0;
	*len = n;
	return buf;
}

static struct obj *p_read_file(struct obj *a)
{
	const char *path = arg_str(a, 0);
	FILE *f = fopen(path, "r");
	struct obj *s;
	size_t n;
	char *text;

	if (!f)
		error("cannot read %s (%s)", path, errno == ENOENT ? "no such file" : "error");
	text = slurp(f, &n);
	fclose(f);
	if (!text)
		error("out of memory");
	s = str_n(text, n);
	free(text);
	return s;
}

/* (file-lines path): its lines, without their newlines (fgets). */
static struct obj *p_file_lines(struct obj *a)
{
	const char *path = arg_str(a, 0);
	struct obj *head = NIL, **tail = &head;
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		error("cannot read %s", path);
	while (fgets(line, sizeof(line), f)) {
		size_t n = strcspn(line, "\n");

		*tail = cons(str_n(line, n), NIL);
		tail = &(*tail)->pair.cdr;
	}
	fclose(f);
	return head;
}

static struct obj *p_remove_file(struct obj *a)
{
	return bool_obj(remove(arg_str(a, 0)) == 0);
}

/* ---- the system ---- */

static struct obj *p_time(struct obj *a)
{
	(void)a;
	return num((double)time(NULL));
}

static uint64_t rng_state = 88172645463325252ull;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static struct obj *p_seed(struct obj *a)
{
	rng_state = (uint64_t)arg_num(a, 0) * 2654435761u + 1;
	return NIL;
}

static struct obj *p_random(struct obj *a)
{
	return num((double)(rng_next() % (uint64_t)arg_num(a, 0)));
}

/* (gc-stats): (live allocated freed), objects; the collector runs after
 * each top-level form. */
static struct obj *p_gc_stats(struct obj *a)
{
	double now_live = (double)live, allocated = (double)allocated_total,
	       freed = (double)freed_total; /* before the list below counts */

	(void)a;
	return cons(num(now_live), cons(num(allocated), cons(num(freed), NIL)));
}

/* (roundtrip n seed): n random finite doubles (random bit patterns)
 * printed with %.17g and read back with strtod; returns (mismatches
 * "fnv") where fnv is FNV-1a 64 of every text printed, in hex: the same
 * on every system whose printf is exact. */
static struct obj *p_roundtrip(struct obj *a)
{
	uint64_t state = (uint64_t)arg_num(a, 1) | 1, h = 14695981039346656037ull;
	double n = arg_num(a, 0), bad = 0;
	char buf[40], hex[20];

	for (double i = 0; i < n;) {
		uint64_t bits;
		double v;

		state ^= state << 13;
		state ^= state >> 7;
		state ^= state << 17;
		bits = state;
		memcpy(&v, &bits, sizeof(v));
		if (!isfinite(v))
			continue;
		i++;
		snprintf(buf, sizeof(buf), "%.17g", v);
		if (strtod(buf, NULL) != v || !signbit(strtod(buf, NULL)) != !signbit(v))
			bad++;
		for (const char *p = buf; *p; p++)
			h = (h ^ (unsigned char)*p) * 1099511628211ull;
	}
	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)h);
	return cons(num(bad), cons(str_n(hex, strlen(hex)), NIL));
}

static struct obj *p_error(struct obj *a)
{
	error("%s", arg_str(a, 0));
	return NIL;
}

static struct obj *p_exit(struct obj *a)
{
	fflush(stdout);
	exit(a == NIL ? 0 : (int)arg_num(a, 0));
}

static const struct {
	const char *name;
	prim_fn fn;
} builtins[] = {
	{ "+", p_add },
	{ "-", p_sub },
	{ "*", p_mul },
	{ "/", p_div },
	{ "<", p_lt },
	{ ">", p_gt },
	{ "<=", p_le },
	{ ">=", p_ge },
	{ "=", p_numeq },
	{ "modulo", p_mod },
	{ "sqrt", p_sqrt },
	{ "floor", p_floor },
	{ "ceiling", p_ceil },
	{ "abs", p_abs },
	{ "expt", p_expt },
	{ "exp", p_exp },
	{ "log", p_log },
	{ "sin", p_sin },
	{ "cos", p_cos },
	{ "atan", p_atan },
	{ "cons", p_cons },
	{ "car", p_car },
	{ "cdr", p_cdr },
	{ "list", p_list },
	{ "null?", p_nullp },
	{ "pair?", p_pairp },
	{ "number?", p_numberp },
	{ "string?", p_stringp },
	{ "symbol?", p_symbolp },
	{ "not", p_not },
	{ "eq?", p_eq },
	{ "equal?", p_equal },
	{ "length", p_length },
	{ "string-length", p_length },
	{ "reverse", p_reverse },
	{ "append", p_append },
	{ "map", p_map },
	{ "filter", p_filter },
	{ "apply", p_apply },
	{ "display", p_display },
	{ "write", p_write },
	{ "newline", p_newline },
	{ "print", p_print },
	{ "string-append", p_string_append },
	{ "substring", p_substring },
	{ "string=?", p_string_eq },
	{ "string<?", p_string_lt },
	{ "number->string", p_number_to_string },
	{ "string->number", p_string_to_number },
	{ "format-number", p_format_number },
	{ "symbol->string", p_symbol_to_string },
	{ "write-file", p_write_file },
	{ "read-file", p_read_file },
	{ "file-lines", p_file_lines },
	{ "remove-file", p_remove_file },
	{ "time", p_time },
	{ "seed", p_seed },
	{ "random", p_random },
	{ "gc-stats", p_gc_stats },
	{ "roundtrip", p_roundtrip },
	{ "error", p_error },
	{ "exit", p_exit },
};

/* A fresh interpreter: every global unbound, then the builtins. */
static void reset(void)
{
	for (size_t i = 0; i < symtab_size; i++)
		for (struct obj *s = symtab[i]; s; s = s->sym.chain)
			s->sym.value = NULL;
	collect();
	for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++) {
		struct obj *p = new_obj(T_PRIM);

		p->prim.name = builtins[i].name;
		p->prim.fn = builtins[i].fn;
		intern(builtins[i].name)->sym.value = p;
	}
	rng_state = 88172645463325252ull;
}

/* Runs every top-level form of text; returns the errors. With echo, the
 * value of each form is printed (-e). */
static int run(const char *text, bool echo)
{
	static struct reader r; /* static: longjmp leaves it as it was */
	volatile int errors = 0;

	r.p = text;
	r.line = 1;
	for (;;) {
		if (setjmp(on_error)) {
			errors++;
			/* skip to the next line: the rest of a broken form */
			while (*r.p && *r.p != '\n')
				r.p++;
		}
		skip_space(&r);
		if (!*r.p)
			break;
		struct obj *v = eval(read_obj(&r), NIL);

		if (echo) {
			print_obj(v, true);
			emits("\n");
		}
		collect(); /* nothing in C holds an object here */
	}
	collect();
	return errors;
}

static char *read_path(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char *text;

	if (!f) {
		fprintf(stderr, "tlisp: %s: cannot open (errno %d)\n", path, errno);
		return NULL;
	}
	text = slurp(f, len);
	if (f != stdin)
		fclose(f);
	return text;
}

/* ---- test mode ---- */

/* Compares the captured output with the expected text: 0, or the first
 * line that differs (1-based). */
static int first_difference(const char *got, const char *want)
{
	int line = 1;

	for (; *got && *got == *want; got++, want++)
		line += *got == '\n';
	return *got == *want ? 0 : line;
}

static void show_line(const char *label, const char *text, int line)
{
	while (--line > 0 && (text = strchr(text, '\n')))
		text++;
	if (!text) {
		printf("  %s: (no such line)\n", label);
		return;
	}
	printf("  %s: %.*s\n", label, (int)strcspn(text, "\n"), text);
}

static bool test_one(const char *script)
{
	char want_path[1024];
	size_t n, len = strlen(script);
	char *text, *want;
	int diff;
	const char *name = strrchr(script, '/') ? strrchr(script, '/') + 1 : script;

	if (len < 5 || strcmp(script + len - 5, ".lisp") || len + 1 > sizeof(want_path)) {
		printf("tlisp: %s: not a .lisp file\n", script);
		return false;
	}
	snprintf(want_path, sizeof(want_path), "%.*s.out", (int)(len - 5), script);
	text = read_path(script, &n);
	want = read_path(want_path, &n);
	if (!text || !want) {
		free(text);
		free(want);
		printf("tlisp: %s: FAILED: cannot read it or its .out\n", name);
		return false;
	}
	reset();
	capturing = true;
	capture_len = 0;
	emit("", 0);
	run(text, false);
	capturing = false;
	diff = first_difference(capture, want);
	if (diff) {
		printf("tlisp: %s: FAILED at line %d\n", name, diff);
		show_line("got ", capture, diff);
		show_line("want", want, diff);
	} else {
		int lines = 0;

		for (const char *p = capture; *p; p++)
			lines += *p == '\n';
		printf("tlisp: %s: ok, %d lines\n", name, lines);
	}
	free(text);
	free(want);
	return !diff;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every NAME.lisp in dir, sorted; returns how many failed (-1: no dir). */
static int test_dir(const char *dir, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	int failed = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		size_t len = strlen(e->d_name);

		if (len < 6 || strcmp(e->d_name + len - 5, ".lisp"))
			continue;
		if (n == cap) {
			char **p = realloc(names, (cap = cap ? 2 * cap : 16) * sizeof(*names));

			if (!p)
				break;
			names = p;
		}
		names[n] = xmalloc(strlen(dir) + len + 2);
		sprintf(names[n], "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", e->d_name);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (size_t i = 0; i < n; i++) {
		failed += !test_one(names[i]);
		free(names[i]);
	}
	free(names);
	*count += (int)n;
	return failed;
}

static int test_mode(int argc, char **argv)
{
	int failed = 0, count = 0;

	for (int i = 0; i < argc; i++) {
		int f = test_dir(argv[i], &count);

		if (f < 0) { /* not a folder: one script */
			count++;
			f = !test_one(argv[i]);
		}
		failed += f;
	}
	free(capture);
	printf("tlisp: %d scripts, %d failed\n", count, failed);
	return failed ? 1 : 0;
}

static void intern_specials(void)
{
	s_quote = intern("quote");
	s_if = intern("if");
	s_cond = intern("cond");
	s_define = intern("define");
	s_set = intern("set!");
	s_lambda = intern("lambda");
	s_let = intern("let");
	s_begin = intern("begin");
	s_while = intern("while");
	s_and = intern("and");
	s_or = intern("or");
	s_else = intern("else");
}

int main(int argc, char **argv)
{
	int errors = 0;

	intern_specials();
	if (argc > 1 && strcmp(argv[1], "-t") == 0)
		return test_mode(argc - 2, argv + 2);
	reset();
	if (argc > 2 && strcmp(argv[1], "-e") == 0)
		return run(argv[2], true) ? 1 : 0;
	for (int i = 1; i < argc || i == 1; i++) {
		size_t n;
		char *text = read_path(argc > 1 ? argv[i] : "-", &n); /* none: stdin */

		if (!text)
			return 2;
		errors += run(text, false);
		free(text);
	}
	return errors ? 1 : 0;
}
