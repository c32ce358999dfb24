/* icx.h - everything a program that links libicx needs. */
#ifndef ICX_H
#define ICX_H

#include "icx_error.h"
#include "icx_ctx.h"
#include "icx_vocab.h"
#include "icx_constraint.h"
#include "icx_compile.h"
#include "icx_store.h"
#include "icx_exec.h"
#include "icx_match.h"
#include "icx_explain.h"
#include "icx_loader.h"

#endif
