;; Element-wise kernels for tfjs-wasm's memory (imported), where tfjs's own take several passes
;; or go through XNNPACK's general broadcasting (7 ns a float for a bias of 3 channels):
;;   reluGrad  out = y > 0 ? dy : 0            (ReLU's gradient: one pass for tfjs's Step, Cast, Multiply)
;;   biasAdd   out[r, c] = a[r, c] + bias[c], then max(·, 0) when relu ≠ 0  (out may be a)
;; Pointers are bytes, counts floats. Rebuild elementwise-module.ts after editing:
;; node scripts/build-wasm-kernels.mjs
(module
  (import "env" "memory" (memory 1))

  (func (export "reluGrad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $o i32) (local $end i32)
    (local.set $end (i32.shl (i32.and (local.get $n) (i32.const -4)) (i32.const 2)))
    (block $done
      (loop $vec
        (br_if $done (i32.ge_u (local.get $o) (local.get $end)))
        (v128.store (i32.add (local.get $out) (local.get $o))
          (v128.and (v128.load (i32.add (local.get $dy) (local.get $o)))
                    (f32x4.gt (v128.load (i32.add (local.get $y) (local.get $o))) (v128.const f32x4 0 0 0 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $vec)))
    (local.set $end (i32.shl (local.get $n) (i32.const 2)))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $o) (local.get $end)))
        (f32.store (i32.add (local.get $out) (local.get $o))
          (select (f32.load (i32.add (local.get $dy) (local.get $o))) (f32.const 0)
                  (f32.gt (f32.load (i32.add (local.get $y) (local.get $o))) (f32.const 0))))
        (local.set $o (i32.add (local.get $o) (i32.const 4)))
        (br $tail))))

  (func (export "biasAdd") (param $a i32) (param $bias i32) (param $out i32) (param $rows i32) (param $C i32) (param $relu i32)
    (local $r i32) (local $c i32) (local $row i32) (local $end4 i32) (local $rowBytes i32) (local $v v128) (local $s f32)
    (local $floor v128) (local $sfloor f32)
    ;; With relu, max(·, 0); without, max(·, −∞), which changes nothing (NaN stays NaN either way).
    (local.set $floor (select (result v128) (v128.const f32x4 0 0 0 0) (v128.const f32x4 -inf -inf -inf -inf) (local.get $relu)))
    (local.set $sfloor (select (f32.const 0) (f32.const -inf) (local.get $relu)))
    (local.set $rowBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $end4 (i32.shl (i32.and (local.get $C) (i32.const -4)) (i32.const 2)))
    (block $rowsDone
      (loop $rowsLoop
        (br_if $rowsDone (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.mul (local.get $r) (local.get $rowBytes)))
        (local.set $c (i32.const 0))
        (block $vdone
          (loop $vec
            (br_if $vdone (i32.ge_u (local.get $c) (local.get $end4)))
            (local.set $v (f32x4.add (v128.load (i32.add (local.get $a) (i32.add (local.get $row) (local.get $c))))
                                     (v128.load (i32.add (local.get $bias) (local.get $c)))))
            (v128.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c))) (f32x4.max (local.get $v) (local.get $floor)))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $vec)))
        (block $sdone
          (loop $scalar
            (br_if $sdone (i32.ge_u (local.get $c) (local.get $rowBytes)))
            (local.set $s (f32.add (f32.load (i32.add (local.get $a) (i32.add (local.get $row) (local.get $c))))
                                   (f32.load (i32.add (local.get $bias) (local.get $c)))))
            (f32.store (i32.add (local.get $out) (i32.add (local.get $row) (local.get $c))) (f32.max (local.get $s) (local.get $sfloor)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $scalar)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rowsLoop))))
)
