"""A small PNG reader for the tests (8-bit RGB or RGBA, no interlace), independent of Mimic's
encoder: checks every chunk's CRC-32, inflates the IDAT stream, undoes the five row filters.

    python3 png.py FILE   prints JSON: width, height, channels, chunks, crc_ok, filters, pixels (base64)
"""
import base64, json, struct, sys, zlib


def read(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature"
    pos, chunks, crc_ok, idat = 8, [], True, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        crc_ok = crc_ok and zlib.crc32(kind + body) == crc
        chunks.append(kind.decode("ascii"))
        if kind == b"IHDR":
            width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG: depth {depth} colour {color}"
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    out, prev, filters = bytearray(), bytearray(stride), set()
    for y in range(height):
        f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        filters.add(f)
        for x in range(stride):
            a = row[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                row[x] = (row[x] + a) & 255
            elif f == 2:
                row[x] = (row[x] + b) & 255
            elif f == 3:
                row[x] = (row[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row
        prev = row
    return {"width": width, "height": height, "channels": channels, "chunks": chunks, "crc_ok": crc_ok,
            "filters": sorted(filters), "pixels": bytes(out)}


if __name__ == "__main__":
    image = read(open(sys.argv[1], "rb").read())
    image["pixels"] = base64.b64encode(image["pixels"]).decode("ascii")
    print(json.dumps(image))
