/* icxd_form.c - data forms (XEP-0004) for the match command. */
/* The request form is built from the vocabulary, with XEP-0122 validation
 * hints for numeric fields; a submitted form becomes (name, value) pairs;
 * the answer is a result form. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "icxd_form.h"
#include "icxd_stanza.h"

#define ICXD_FORM_TYPE "urn:icx:constraints"

static xmpp_stanza_t *form_field_new(xmpp_ctx_t *ctx, const char *var,
                                     const char *type, const char *label)
{
  xmpp_stanza_t *f = icxd_elem(ctx, "field", NULL);

  if (!f)
    return NULL;
  if ((var && xmpp_stanza_set_attribute(f, "var", var)) ||
      (type && xmpp_stanza_set_attribute(f, "type", type)) ||
      (label && xmpp_stanza_set_attribute(f, "label", label))) {
    xmpp_stanza_release(f);
    return NULL;
  }
  return f;
}

static int form_add_option(xmpp_ctx_t *ctx, xmpp_stanza_t *field,
                           const char *label, const char *value)
{
  xmpp_stanza_t *opt = icxd_elem(ctx, "option", NULL);

  if (!opt || xmpp_stanza_set_attribute(opt, "label", label) ||
      !icxd_add_text_child(ctx, opt, "value", value)) {
    if (opt)
      xmpp_stanza_release(opt);
    return -1;
  }
  return icxd_adopt(field, opt);
}

/* XEP-0122: <validate xmlns=... datatype='xs:decimal'><basic/></validate>. */
static int form_add_validate(xmpp_ctx_t *ctx, xmpp_stanza_t *field,
                             const char *datatype)
{
  xmpp_stanza_t *v = icxd_elem(ctx, "validate", ICXD_NS_XDATA_VALIDATE);

  if (!v || xmpp_stanza_set_attribute(v, "datatype", datatype) ||
      icxd_adopt(v, icxd_elem(ctx, "basic", NULL))) {
    if (v)
      xmpp_stanza_release(v);
    return -1;
  }
  return icxd_adopt(field, v);
}

/* One field for attribute a: its label as var, its rule and comment as
 * the description, options for individuals and booleans. */
static int form_add_attribute_field(xmpp_ctx_t *ctx, xmpp_stanza_t *x,
                                    const icx_attribute *a)
{
  icx_datatype t = icx_attribute_type(a);
  const char *comment = icx_attribute_comment(a);
  const char *label = icx_attribute_label(a);
  char desc[1024];
  xmpp_stanza_t *f;
  const icx_individual *ind;
  size_t i, n;
  int bad = 0;

  f = form_field_new(ctx, label,
                     (t == ICX_TYPE_INDIVIDUAL || t == ICX_TYPE_BOOLEAN)
                         ? "list-single" : "text-single",
                     label);
  if (!f)
    return -1;
  snprintf(desc, sizeof desc, "Rule: %s (%s).%s%s",
           icx_rule_name(icx_attribute_rule(a)), icx_datatype_name(t),
           comment && *comment ? " " : "", comment ? comment : "");
  if (!icxd_add_text_child(ctx, f, "desc", desc))
    bad = 1;
  if (t == ICX_TYPE_INDIVIDUAL) {
    n = icx_attribute_value_count(a);
    for (i = 0; i < n && !bad; i++) {
      ind = icx_attribute_value(a, i);
      bad |= form_add_option(ctx, f, icx_individual_label(ind),
                             icx_individual_label(ind));
    }
  } else if (t == ICX_TYPE_BOOLEAN) {
    bad |= form_add_option(ctx, f, "yes", "true");
    bad |= form_add_option(ctx, f, "no", "false");
  } else if (t == ICX_TYPE_DECIMAL) {
    bad |= form_add_validate(ctx, f, "xs:decimal");
  } else if (t == ICX_TYPE_INTEGER) {
    bad |= form_add_validate(ctx, f, "xs:integer");
  }
  if (bad) {
    xmpp_stanza_release(f);
    return -1;
  }
  return icxd_adopt(x, f);
}

static int form_add_hidden_form_type(xmpp_ctx_t *ctx, xmpp_stanza_t *x)
{
  xmpp_stanza_t *f = form_field_new(ctx, "FORM_TYPE", "hidden", NULL);

  if (!f || !icxd_add_text_child(ctx, f, "value", ICXD_FORM_TYPE)) {
    if (f)
      xmpp_stanza_release(f);
    return -1;
  }
  return icxd_adopt(x, f);
}

xmpp_stanza_t *icxd_form_request(xmpp_ctx_t *ctx, const icx_vocab *vocab)
{
  xmpp_stanza_t *x = icxd_elem(ctx, "x", ICXD_NS_DATA);
  size_t i, n = icx_vocab_attribute_count(vocab);

  if (!x || xmpp_stanza_set_type(x, "form") ||
      !icxd_add_text_child(ctx, x, "title", "Find matching clouds") ||
      !icxd_add_text_child(ctx, x, "instructions",
                           "Fill in the constraints you need; leave a field "
                           "empty to ignore it. A cloud matches when it "
                           "satisfies every constraint given.") ||
      form_add_hidden_form_type(ctx, x))
    goto fail;
  /* A distance (latency) needs a place as well as a number, which one
   * form field cannot carry: it is asked with IO Data only. */
  for (i = 0; i < n; i++)
    if (!icx_attribute_place(icx_vocab_attribute(vocab, i)) &&
        form_add_attribute_field(ctx, x, icx_vocab_attribute(vocab, i)))
      goto fail;
  return x;
fail:
  if (x)
    xmpp_stanza_release(x);
  return NULL;
}

int icxd_form_collect(xmpp_ctx_t *ctx, xmpp_stanza_t *x, icxd_job *job,
                      char *err, size_t errlen)
{
  xmpp_stanza_t *f, *v;
  const char *var, *name;
  char *text;
  int fields = 0, rc;

  for (f = xmpp_stanza_get_children(x); f; f = xmpp_stanza_get_next(f)) {
    name = xmpp_stanza_get_name(f);
    if (!xmpp_stanza_is_tag(f) || !name || strcmp(name, "field") != 0)
      continue;
    if (++fields > ICXD_FORM_MAX_FIELDS) {
      snprintf(err, errlen, "the form has more than %d fields",
               ICXD_FORM_MAX_FIELDS);
      return -1;
    }
    var = xmpp_stanza_get_attribute(f, "var");
    if (!var || !*var) {
      snprintf(err, errlen, "a submitted field has no var");
      return -1;
    }
    if (strcmp(var, "FORM_TYPE") == 0)
      continue;
    for (v = xmpp_stanza_get_children(f); v; v = xmpp_stanza_get_next(v)) {
      name = xmpp_stanza_get_name(v);
      if (!xmpp_stanza_is_tag(v) || !name || strcmp(name, "value") != 0)
        continue;
      text = xmpp_stanza_get_text(v);
      rc = 0;
      if (text && text[strspn(text, " \t\r\n")] != '\0')
        rc = icxd_job_add_pair(job, var, text);
      if (text)
        xmpp_free(ctx, text);
      if (rc) {
        snprintf(err, errlen, "out of memory");
        return -1;
      }
    }
  }
  return 0;
}

xmpp_stanza_t *icxd_form_result(xmpp_ctx_t *ctx, char *const *clouds,
                                size_t n, size_t max_items, size_t max_bytes,
                                size_t *listed)
{
  xmpp_stanza_t *x = icxd_elem(ctx, "x", ICXD_NS_DATA);
  xmpp_stanza_t *reported = NULL, *item, *f;
  char title[96], *text;
  size_t i, len, bytes = 0;

  *listed = 0;
  snprintf(title, sizeof title, "%zu matching cloud%s", n, n == 1 ? "" : "s");
  if (!x || xmpp_stanza_set_type(x, "result") ||
      !icxd_add_text_child(ctx, x, "title", title))
    goto fail;
  reported = icxd_elem(ctx, "reported", NULL);
  if (!reported ||
      icxd_adopt(reported, form_field_new(ctx, "cloudName", "text-single",
                                     "Cloud"))) {
    goto fail;
  }
  if (icxd_adopt(x, reported)) {
    reported = NULL;
    goto fail;
  }
  reported = NULL;
  for (i = 0; i < n && i < max_items; i++) {
    item = icxd_elem(ctx, "item", NULL);
    f = form_field_new(ctx, "cloudName", NULL, NULL);
    if (!item || !f || !icxd_add_text_child(ctx, f, "value", clouds[i])) {
      if (f)
        xmpp_stanza_release(f);
      if (item)
        xmpp_stanza_release(item);
      goto fail;
    }
    if (icxd_adopt(item, f)) {
      xmpp_stanza_release(item);
      goto fail;
    }
    /* Measured as written: a name's escapes count. */
    if (xmpp_stanza_to_text(item, &text, &len) != XMPP_EOK) {
      xmpp_stanza_release(item);
      goto fail;
    }
    xmpp_free(ctx, text);
    if (i > 0 && bytes + len > max_bytes) {
      xmpp_stanza_release(item);
      break;
    }
    bytes += len;
    if (icxd_adopt(x, item))
      goto fail;
  }
  *listed = i;
  return x;
fail:
  if (reported)
    xmpp_stanza_release(reported);
  if (x)
    xmpp_stanza_release(x);
  return NULL;
}
