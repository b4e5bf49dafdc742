/*
 * ps_speedscope: files in speedscope's JSON file format (its schema:
 * https://www.speedscope.app/file-format-schema.json; a copy is in tests/):
 * "sampled" profiles, each a list of stacks (indexes into one table of
 * frames shared by all profiles) with a weight each.
 *
 * Two writers fill one: cpu-profile --format speedscope (a profile per
 * thread, ps_report_speedscope.c) and perfscope flamegraph --format
 * speedscope (folded stacks, ps_speedscope_folded below).  Samples are
 * kept as 4-byte frame indexes and written out as text, so a file of
 * 50,000 stacks costs about its own size in memory, not a cJSON tree's
 * ~80 bytes a frame.
 *
 * Calling sequence: ps_speedscope_init, frames and profiles and samples
 * added in any order, ps_speedscope_write, ps_speedscope_release (which
 * frees the profiles too).
 */
#ifndef PS_SPEEDSCOPE_H
#define PS_SPEEDSCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/ps_folded_diff.h"
#include "base/ps_strtab.h"

struct ps_speedscope_sample {
	size_t end;                 /* its frames end at the profile's frames[end] */
	double weight;
};

struct ps_speedscope_profile {
	char *name;
	const char *unit;           /* one of the schema's ValueUnit names */
	uint32_t *frames;           /* the samples' frames, outermost first, one sample after another */
	size_t nframes, frames_cap;
	struct ps_speedscope_sample *samples;
	size_t nsamples, samples_cap;
	double total;               /* the weights added up: the profile's endValue */
};

struct ps_speedscope {
	struct ps_strtab frames;    /* each frame's key ("LEN:NAMEFILE"): its id - 1 is its index */
	struct ps_speedscope_profile **profiles;
	size_t nprofiles, profiles_cap;
	char *key;                  /* scratch for frame keys */
	size_t key_cap;
};

/* 0 or PS_E_NOMEM. */
int ps_speedscope_init(struct ps_speedscope *s);
void ps_speedscope_release(struct ps_speedscope *s);

/*
 * The index of the frame (name, file: NULL or "" for none), added the
 * first time; PS_E_NOMEM (< 0).
 */
int64_t ps_speedscope_frame(struct ps_speedscope *s, const char *name, const char *file);

/* A new, empty profile, weighed in `unit` (a ValueUnit name); NULL: no memory. */
struct ps_speedscope_profile *ps_speedscope_profile(struct ps_speedscope *s, const char *name, const char *unit);

/* Adds a sample: frames[0..n) (outermost first) with its weight; 0 or PS_E_NOMEM. */
int ps_speedscope_sample(struct ps_speedscope_profile *p, const uint32_t *frames, size_t n, double weight);

/*
 * Writes the file, named `name`, written by `exporter`: the profiles
 * heaviest first (speedscope opens the first), each in the order its
 * samples were added.  0, PS_E_NOMEM, or -1 on a write error.
 */
int ps_speedscope_write(FILE *fp, const struct ps_speedscope *s, const char *name, const char *exporter);

/*
 * The ValueUnit for a unit as perfscope's other outputs name it
 * (samples, ns, bytes...), or NULL when speedscope has none for it.
 */
const char *ps_speedscope_unit(const char *unit);

/* How ps_speedscope_folded writes folded stacks. */
struct ps_speedscope_folded_opts {
	const char *name;           /* the file's name, and the profile's when there is one */
	const char *unit;           /* a ValueUnit name */
	const char *exporter;
	/* the first frame of each stack names its profile ("app (pid 1, tid 2)")
	 * and is not a frame; else one profile holds every stack whole */
	bool profile_per_first_frame;
};

/*
 * Folded stacks (each "frame;frame;..." with its count as weight) as a
 * speedscope file; 0, PS_E_NOMEM, or -1 on a write error.
 */
int ps_speedscope_folded(FILE *fp, const struct ps_fold_set *set, const struct ps_speedscope_folded_opts *o);

#endif
