// MimicMath: quaternions, rigid poses and batch pose kernels. No Foundation, no I/O.
//
// - Quaternion.swift   `Quaternion`, x,y,z,w storage; `init(xyzw:)` / `init(wxyz:)` say the order.
// - Matrix3.swift      `Matrix3`, row-major 3x3 acting on column vectors.
// - Pose.swift         `Pose`, rigid transform worldFromX: p' = R p + t; row-major 4x4 matrix I/O.
// - PoseKernels.swift  `PoseKernels`, segment transform and interpolation over buffers of
//                      row-major 4x4 matrices (numpy (N, 4, 4) order), Double and Float.
//
// Every operation other modules call is `@inlinable`: across modules that is the difference
// between ~2 and ~10 ns per pose.
