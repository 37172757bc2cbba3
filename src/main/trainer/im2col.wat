;; im2col and its adjoint col2im for the BLAS convolutions (blas-kernels.ts), over tensors in
;; tfjs-wasm's memory (imported). im2col: the receptive fields of output rows [r0, r1) — row = (n, oh, ow), NHWC — copied
;; into dst as rows of KH·KW·CI floats, zeros where a window leaves the image. Each in-image run
;; of a window row is one memory.copy (bulk memory), so the copying runs at memmove speed instead
;; of JavaScript's element loop (4 ns a float measured there; Snake's second conv spent 1.4 ms on it).
;; col2im: the reverse — each patch row's values added back onto the pixels they came from (the
;; input gradient of a convolution, or a transposed convolution), in a fixed order.
;; All pointers and sizes are in bytes except the shape arguments. Rebuild im2col-module.ts after
;; editing: node scripts/build-wasm-kernels.mjs
(module
  (import "env" "memory" (memory 1))

  ;; dst[0 .. bytes) = src[0 .. bytes): short runs (a few pixels of few channels) with SIMD loads
  ;; and stores, since memory.copy calls out of the compiled code (≈ 50 ns each in V8); long ones with it.
  (func $copyRun (param $dst i32) (param $src i32) (param $bytes i32)
    (local $i i32) (local $end16 i32) (local $s i32) (local $t i32)
    (if (i32.ge_u (local.get $bytes) (i32.const 256))
      (then (memory.copy (local.get $dst) (local.get $src) (local.get $bytes)) (return)))
    (local.set $end16 (i32.and (local.get $bytes) (i32.const -64)))
    (block $vec4Done
      (loop $vec4
        (br_if $vec4Done (i32.ge_u (local.get $i) (local.get $end16)))
        (local.set $s (i32.add (local.get $src) (local.get $i)))
        (local.set $t (i32.add (local.get $dst) (local.get $i)))
        (v128.store offset=0 (local.get $t) (v128.load offset=0 (local.get $s)))
        (v128.store offset=16 (local.get $t) (v128.load offset=16 (local.get $s)))
        (v128.store offset=32 (local.get $t) (v128.load offset=32 (local.get $s)))
        (v128.store offset=48 (local.get $t) (v128.load offset=48 (local.get $s)))
        (local.set $i (i32.add (local.get $i) (i32.const 64)))
        (br $vec4)))
    (local.set $end16 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $end16)))
        (v128.store (i32.add (local.get $dst) (local.get $i)) (v128.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (i32.store (i32.add (local.get $dst) (local.get $i)) (i32.load (i32.add (local.get $src) (local.get $i))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; dst[0 .. bytes) = 0, the same way: most window rows have nothing to zero, and a memory.fill call
  ;; (out of the compiled code) for zero bytes cost as much as the copy beside it.
  (func $zeroRun (param $dst i32) (param $bytes i32)
    (local $i i32) (local $end16 i32)
    (if (i32.ge_u (local.get $bytes) (i32.const 256))
      (then (memory.fill (local.get $dst) (i32.const 0) (local.get $bytes)) (return)))
    (local.set $end16 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $end16)))
        (v128.store (i32.add (local.get $dst) (local.get $i)) (v128.const i32x4 0 0 0 0))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (i32.store (i32.add (local.get $dst) (local.get $i)) (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  (func (export "im2col")
        (param $x i32) (param $dst i32) (param $r0 i32) (param $r1 i32)
        (param $H i32) (param $W i32) (param $CI i32) (param $OH i32) (param $OW i32)
        (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
        (param $top i32) (param $left i32)
    (local $r i32) (local $ow i32) (local $oh i32) (local $n i32) (local $t i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $iw0 i32)
    (local $d i32) (local $px i32) (local $winRow i32) (local $image i32) (local $rowBase i32)
    (local $lo i32) (local $hi i32)
    (local.set $px (i32.shl (local.get $CI) (i32.const 2)))            ;; bytes per pixel
    (local.set $winRow (i32.mul (local.get $KW) (local.get $px)))     ;; bytes per window row
    (local.set $d (local.get $dst))
    (local.set $r (local.get $r0))
    ;; (n, oh, ow) of row r0, then stepped row by row (divisions per row cost as much as a short copy).
    (local.set $ow (i32.rem_u (local.get $r0) (local.get $OW)))
    (local.set $t (i32.div_u (local.get $r0) (local.get $OW)))
    (local.set $oh (i32.rem_u (local.get $t) (local.get $OH)))
    (local.set $n (i32.div_u (local.get $t) (local.get $OH)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $image (i32.add (local.get $x)
          (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $px)))))
        (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $left)))
        (local.set $kh (i32.const 0))
        (block $khDone
          (loop $khs
            (br_if $khDone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $top))
                                    (i32.mul (local.get $kh) (local.get $dh))))
            (if (i32.or (i32.lt_s (local.get $ih) (i32.const 0)) (i32.ge_s (local.get $ih) (local.get $H)))
              (then (call $zeroRun (local.get $d) (local.get $winRow)))
              (else
                (local.set $rowBase (i32.add (local.get $image)
                  (i32.mul (i32.mul (local.get $ih) (local.get $W)) (local.get $px))))
                (if (i32.eq (local.get $dw) (i32.const 1))
                  (then
                    ;; Undilated: the in-image taps kw ∈ [lo, hi) are one contiguous run.
                    (local.set $lo (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0)
                                           (i32.lt_s (local.get $iw0) (i32.const 0))))
                    (local.set $hi (i32.sub (local.get $W) (local.get $iw0)))
                    (if (i32.gt_s (local.get $hi) (local.get $KW)) (then (local.set $hi (local.get $KW))))
                    (if (i32.gt_s (local.get $lo) (local.get $KW)) (then (local.set $lo (local.get $KW))))
                    (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
                    (if (local.get $lo) (then (call $zeroRun (local.get $d) (i32.mul (local.get $lo) (local.get $px)))))
                    (call $copyRun
                      (i32.add (local.get $d) (i32.mul (local.get $lo) (local.get $px)))
                      (i32.add (local.get $rowBase) (i32.mul (i32.add (local.get $iw0) (local.get $lo)) (local.get $px)))
                      (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $px)))
                    (if (i32.lt_s (local.get $hi) (local.get $KW))
                      (then (call $zeroRun
                        (i32.add (local.get $d) (i32.mul (local.get $hi) (local.get $px)))
                        (i32.mul (i32.sub (local.get $KW) (local.get $hi)) (local.get $px))))))
                  (else
                    (local.set $kw (i32.const 0))
                    (block $kwDone
                      (loop $kws
                        (br_if $kwDone (i32.ge_u (local.get $kw) (local.get $KW)))
                        (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                        (if (i32.or (i32.lt_s (local.get $iw) (i32.const 0)) (i32.ge_s (local.get $iw) (local.get $W)))
                          (then (call $zeroRun (i32.add (local.get $d) (i32.mul (local.get $kw) (local.get $px))) (local.get $px)))
                          (else (call $copyRun (i32.add (local.get $d) (i32.mul (local.get $kw) (local.get $px)))
                                             (i32.add (local.get $rowBase) (i32.mul (local.get $iw) (local.get $px)))
                                             (local.get $px))))
                        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                        (br $kws)))))))
            (local.set $d (i32.add (local.get $d) (local.get $winRow)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
        (if (i32.eq (local.get $ow) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (if (i32.eq (local.get $oh) (local.get $OH))
              (then (local.set $oh (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
        (br $rows))))

  ;; dst[0 .. bytes) += src[0 .. bytes), four floats at a time.
  (func $addRun (param $dst i32) (param $src i32) (param $bytes i32)
    (local $i i32) (local $end16 i32)
    (local.set $end16 (i32.and (local.get $bytes) (i32.const -16)))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_u (local.get $i) (local.get $end16)))
        (v128.store (i32.add (local.get $dst) (local.get $i))
          (f32x4.add (v128.load (i32.add (local.get $dst) (local.get $i))) (v128.load (i32.add (local.get $src) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 16)))
        (br $vec)))
    (block $done
      (loop $tail
        (br_if $done (i32.ge_u (local.get $i) (local.get $bytes)))
        (f32.store (i32.add (local.get $dst) (local.get $i))
          (f32.add (f32.load (i32.add (local.get $dst) (local.get $i))) (f32.load (i32.add (local.get $src) (local.get $i)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $tail))))

  ;; x[pixels of rows r0 … r1−1's windows] += cols[rows] (cols laid out as im2col writes them).
  (func (export "col2im")
        (param $cols i32) (param $x i32) (param $r0 i32) (param $r1 i32)
        (param $H i32) (param $W i32) (param $CI i32) (param $OH i32) (param $OW i32)
        (param $KH i32) (param $KW i32) (param $sh i32) (param $sw i32) (param $dh i32) (param $dw i32)
        (param $top i32) (param $left i32)
    (local $r i32) (local $ow i32) (local $oh i32) (local $n i32) (local $t i32)
    (local $kh i32) (local $kw i32) (local $ih i32) (local $iw i32) (local $iw0 i32)
    (local $d i32) (local $px i32) (local $winRow i32) (local $image i32) (local $rowBase i32)
    (local $lo i32) (local $hi i32)
    (local.set $px (i32.shl (local.get $CI) (i32.const 2)))
    (local.set $winRow (i32.mul (local.get $KW) (local.get $px)))
    (local.set $d (local.get $cols))
    (local.set $r (local.get $r0))
    ;; (n, oh, ow) of row r0, then stepped row by row (divisions per row cost as much as a short copy).
    (local.set $ow (i32.rem_u (local.get $r0) (local.get $OW)))
    (local.set $t (i32.div_u (local.get $r0) (local.get $OW)))
    (local.set $oh (i32.rem_u (local.get $t) (local.get $OH)))
    (local.set $n (i32.div_u (local.get $t) (local.get $OH)))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $r1)))
        (local.set $image (i32.add (local.get $x)
          (i32.mul (local.get $n) (i32.mul (i32.mul (local.get $H) (local.get $W)) (local.get $px)))))
        (local.set $iw0 (i32.sub (i32.mul (local.get $ow) (local.get $sw)) (local.get $left)))
        (local.set $kh (i32.const 0))
        (block $khDone
          (loop $khs
            (br_if $khDone (i32.ge_u (local.get $kh) (local.get $KH)))
            (local.set $ih (i32.add (i32.sub (i32.mul (local.get $oh) (local.get $sh)) (local.get $top))
                                    (i32.mul (local.get $kh) (local.get $dh))))
            (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $H)))
              (then
                (local.set $rowBase (i32.add (local.get $image)
                  (i32.mul (i32.mul (local.get $ih) (local.get $W)) (local.get $px))))
                (if (i32.eq (local.get $dw) (i32.const 1))
                  (then
                    (local.set $lo (select (i32.sub (i32.const 0) (local.get $iw0)) (i32.const 0)
                                           (i32.lt_s (local.get $iw0) (i32.const 0))))
                    (local.set $hi (i32.sub (local.get $W) (local.get $iw0)))
                    (if (i32.gt_s (local.get $hi) (local.get $KW)) (then (local.set $hi (local.get $KW))))
                    (if (i32.lt_s (local.get $hi) (local.get $lo)) (then (local.set $hi (local.get $lo))))
                    (call $addRun
                      (i32.add (local.get $rowBase) (i32.mul (i32.add (local.get $iw0) (local.get $lo)) (local.get $px)))
                      (i32.add (local.get $d) (i32.mul (local.get $lo) (local.get $px)))
                      (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $px))))
                  (else
                    (local.set $kw (i32.const 0))
                    (block $kwDone
                      (loop $kws
                        (br_if $kwDone (i32.ge_u (local.get $kw) (local.get $KW)))
                        (local.set $iw (i32.add (local.get $iw0) (i32.mul (local.get $kw) (local.get $dw))))
                        (if (i32.and (i32.ge_s (local.get $iw) (i32.const 0)) (i32.lt_s (local.get $iw) (local.get $W)))
                          (then (call $addRun (i32.add (local.get $rowBase) (i32.mul (local.get $iw) (local.get $px)))
                                              (i32.add (local.get $d) (i32.mul (local.get $kw) (local.get $px)))
                                              (local.get $px))))
                        (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
                        (br $kws)))))))
            (local.set $d (i32.add (local.get $d) (local.get $winRow)))
            (local.set $kh (i32.add (local.get $kh) (i32.const 1)))
            (br $khs)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
        (if (i32.eq (local.get $ow) (local.get $OW))
          (then
            (local.set $ow (i32.const 0))
            (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
            (if (i32.eq (local.get $oh) (local.get $OH))
              (then (local.set $oh (i32.const 0)) (local.set $n (i32.add (local.get $n) (i32.const 1)))))))
        (br $rows))))
)
