/* Placeholder; the features table owner replaces this file. */
#ifndef EARLYPATCH_CPUFEATURES_H
#define EARLYPATCH_CPUFEATURES_H
#define EP_NCAPINTS 22
#endif
