"""The checkpoint tests' Drive: an emulator whose My Drive holds one empty folder, "ckpt"."""

from support.drive import drive_fixtures

emu, drive = drive_fixtures("ckpt")
