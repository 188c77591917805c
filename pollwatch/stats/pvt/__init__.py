"""Parallel vote tabulation (quick count): sample size, stratified sampling, ratio estimation, validation.

Pure numpy/scipy (no Django). Stations are clusters of voters; shares are estimated with the ratio estimator
(NDI, *The Quick Count and Election Observation*, "Statistics for PVTs"; Cochran, *Sampling Techniques*, ch. 6).
"""
