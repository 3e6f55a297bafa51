// `make soak`: a long run of drover under abuse (being written; see docs/reliability.md).
print("drover-soak: not written yet")
