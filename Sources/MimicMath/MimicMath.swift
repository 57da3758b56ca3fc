// MimicMath: quaternions, rigid poses and batch pose kernels. No Foundation, no I/O.
