;; Adam's and RMSprop's updates as one SIMD loop each, over tensors in tfjs-wasm's memory
;; (imported). Every operation is float32, in the order tfjs's optimizers apply their ops, so the
;; results are tfjs's to the bit. New values go to separate outputs (the caller's fresh tensors):
;; a weight tensor's data may be shared with another (a target network's copy).
;; Rebuild wasm-optimizers-module.ts after editing: node scripts/build-wasm-kernels.mjs
(module
  (import "env" "memory" (memory 1))

  ;; m' = m·β1 + g·(1−β1);  v' = v·β2 + (g·g)·(1−β2);  w' = ((m'/(1−β1ᵗ)) / (√(v'/(1−β2ᵗ)) + ε))·(−lr) + w
  (func (export "adam")
        (param $g i32) (param $m i32) (param $v i32) (param $w i32) (param $om i32) (param $ov i32) (param $ow i32) (param $n i32)
        (param $b1 f32) (param $omb1 f32) (param $b2 f32) (param $omb2 f32) (param $oma1 f32) (param $oma2 f32) (param $eps f32) (param $neglr f32)
    (local $i i32) (local $end4 i32) (local $o i32)
    (local $G v128) (local $M v128) (local $V v128)
    (local $vb1 v128) (local $vomb1 v128) (local $vb2 v128) (local $vomb2 v128) (local $voma1 v128) (local $voma2 v128) (local $veps v128) (local $vneglr v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    (local.set $vb1 (f32x4.splat (local.get $b1)))
    (local.set $vomb1 (f32x4.splat (local.get $omb1)))
    (local.set $vb2 (f32x4.splat (local.get $b2)))
    (local.set $vomb2 (f32x4.splat (local.get $omb2)))
    (local.set $voma1 (f32x4.splat (local.get $oma1)))
    (local.set $voma2 (f32x4.splat (local.get $oma2)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $vneglr (f32x4.splat (local.get $neglr)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $G (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $M (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $o))) (local.get $vb1)) (f32x4.mul (local.get $G) (local.get $vomb1))))
        (local.set $V (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $o))) (local.get $vb2)) (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $vomb2))))
        (v128.store (i32.add (local.get $om) (local.get $o)) (local.get $M))
        (v128.store (i32.add (local.get $ov) (local.get $o)) (local.get $V))
        (v128.store (i32.add (local.get $ow) (local.get $o))
          (f32x4.add
            (f32x4.mul (f32x4.div (f32x4.div (local.get $M) (local.get $voma1)) (f32x4.add (f32x4.sqrt (f32x4.div (local.get $V) (local.get $voma2))) (local.get $veps))) (local.get $vneglr))
            (v128.load (i32.add (local.get $w) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $loop)))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ms (f32.add (f32.mul (f32.load (i32.add (local.get $m) (local.get $o))) (local.get $b1)) (f32.mul (local.get $gs) (local.get $omb1))))
        (local.set $vs (f32.add (f32.mul (f32.load (i32.add (local.get $v) (local.get $o))) (local.get $b2)) (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $omb2))))
        (f32.store (i32.add (local.get $om) (local.get $o)) (local.get $ms))
        (f32.store (i32.add (local.get $ov) (local.get $o)) (local.get $vs))
        (f32.store (i32.add (local.get $ow) (local.get $o))
          (f32.add (f32.mul (f32.div (f32.div (local.get $ms) (local.get $oma1)) (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $oma2))) (local.get $eps))) (local.get $neglr))
                   (f32.load (i32.add (local.get $w) (local.get $o)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))

  ;; RMSprop without centring: ms' = ms·ρ + (g·g)·(1−ρ);  mom' = mom·μ + (g·lr) / √(ms' + ε);  w' = w − mom'
  (func (export "rmsprop")
        (param $g i32) (param $s i32) (param $p i32) (param $w i32) (param $os i32) (param $op i32) (param $ow i32) (param $n i32)
        (param $rho f32) (param $omrho f32) (param $mu f32) (param $lr f32) (param $eps f32)
    (local $i i32) (local $end4 i32) (local $o i32)
    (local $G v128) (local $S v128) (local $P v128)
    (local $vrho v128) (local $vomrho v128) (local $vmu v128) (local $vlr v128) (local $veps v128)
    (local $gs f32) (local $ss f32) (local $ps f32)
    (local.set $vrho (f32x4.splat (local.get $rho)))
    (local.set $vomrho (f32x4.splat (local.get $omrho)))
    (local.set $vmu (f32x4.splat (local.get $mu)))
    (local.set $vlr (f32x4.splat (local.get $lr)))
    (local.set $veps (f32x4.splat (local.get $eps)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $done
      (loop $loop
        (br_if $done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $G (v128.load (i32.add (local.get $g) (local.get $o))))
        (local.set $S (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $s) (local.get $o))) (local.get $vrho)) (f32x4.mul (f32x4.mul (local.get $G) (local.get $G)) (local.get $vomrho))))
        (local.set $P (f32x4.add (f32x4.mul (v128.load (i32.add (local.get $p) (local.get $o))) (local.get $vmu))
                                 (f32x4.div (f32x4.mul (local.get $G) (local.get $vlr)) (f32x4.sqrt (f32x4.add (local.get $S) (local.get $veps))))))
        (v128.store (i32.add (local.get $os) (local.get $o)) (local.get $S))
        (v128.store (i32.add (local.get $op) (local.get $o)) (local.get $P))
        (v128.store (i32.add (local.get $ow) (local.get $o)) (f32x4.sub (v128.load (i32.add (local.get $w) (local.get $o))) (local.get $P)))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $loop)))
    (block $tdone
      (loop $tail
        (br_if $tdone (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $o))))
        (local.set $ss (f32.add (f32.mul (f32.load (i32.add (local.get $s) (local.get $o))) (local.get $rho)) (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $omrho))))
        (local.set $ps (f32.add (f32.mul (f32.load (i32.add (local.get $p) (local.get $o))) (local.get $mu))
                                (f32.div (f32.mul (local.get $gs) (local.get $lr)) (f32.sqrt (f32.add (local.get $ss) (local.get $eps))))))
        (f32.store (i32.add (local.get $os) (local.get $o)) (local.get $ss))
        (f32.store (i32.add (local.get $op) (local.get $o)) (local.get $ps))
        (f32.store (i32.add (local.get $ow) (local.get $o)) (f32.sub (f32.load (i32.add (local.get $w) (local.get $o))) (local.get $ps)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $tail))))
)
