"""Files on the local disk, written safely: whole-buffer writes, `.part` files verified and renamed
into place. Used by Drive downloads and by staging, so it depends on neither."""
