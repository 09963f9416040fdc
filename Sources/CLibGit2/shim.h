#ifndef GAFFER_CLIBGIT2_SHIM_H
#define GAFFER_CLIBGIT2_SHIM_H
#include <git2.h>
#endif
