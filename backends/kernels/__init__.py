"""Array kernels written once over `xp` (numpy or cupy): the code the primitives' forwards call."""
