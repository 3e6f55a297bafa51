int cdrover_placeholder(void) { return 0; }
