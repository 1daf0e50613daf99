#!/usr/bin/env python3
"""Prints a process's open fds, how many are its RTP/RTCP sockets, and the rest, in one pass.

usage: soak_fds.py PID PORT_MIN PORT_MAX
The RTP sockets follow the calls in flight, so a soak judges the rest. The fd table is read
first, the socket tables right after; a socket is classed by its inode, and one that closed
in between (found in no table) is left out of both counts. Reading fds and the UDP table with
separate commands and subtracting was off by up to 40 on a busy machine (calls end at 50/s).
"""
import os
import sys


def main():
    pid, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    fd_dir = f"/proc/{pid}/fd"
    inodes = []
    for name in os.listdir(fd_dir):
        try:
            target = os.readlink(f"{fd_dir}/{name}")
        except OSError:
            continue  # closed since the listing
        inodes.append(target[8:-1] if target.startswith("socket:[") else None)
    rtp, known = set(), set()
    for table in ("udp", "udp6", "tcp", "tcp6", "unix", "netlink", "raw"):
        try:
            with open(f"/proc/{pid}/net/{table}") as f:
                header = next(f).split()
                for line in f:
                    cols = line.split()
                    if table == "unix":
                        known.add(cols[6])
                    elif table == "netlink":
                        known.add(cols[-1])
                    else:
                        known.add(cols[9])
                        if table == "udp" and lo <= int(cols[1].split(":")[1], 16) <= hi:
                            rtp.add(cols[9])
        except (OSError, StopIteration, IndexError):
            continue
    n_rtp = sum(1 for i in inodes if i in rtp)
    # The rest: every fd that is not a socket, and the sockets found in a table that are not
    # RTP. A socket found in no table closed between the two reads and is left out.
    n_rest = sum(1 for i in inodes if i is None or (i in known and i not in rtp))
    print(len(inodes), n_rtp, n_rest)


if __name__ == "__main__":
    main()
