// MimicHDF5: the typed HDF5 wrapper and the dataset layouts (robomimic/MimicGen, Isaac Lab).
