import Foundation
import SparseIHTCore
import SparseIHTData

extension TaskRunner {
    /// inr: one image fitted from Fourier features, scored by PSNR with peak 1.
    static func image<B: ComputeBackend>(_ spec: TaskSpec, data: TaskData, outputs: TaskOutputs,
                                         observer: TaskObserver, backend: B) throws -> TaskRun {
        let m = spec.resolvedM, s = spec.resolvedS
        let t0 = Date()
        let (model, history) = try trainScalar(spec, x: data.x, y: data.y, n: data.n, d: data.d, batch: spec.batch,
                                               epochs: nil, observer: observer, backend: backend)
        let seconds = Date().timeIntervalSince(t0)
        let fit = try model.predict(x: data.x, n: data.n, backend: backend)
        let psnr = data.score(fit)
        var r = common(spec, backend: backend, n: data.n, d: data.d, m: m, s: s, seconds: seconds)
        r.dataset = spec.dataset; r.image = spec.image
        r.width = data.image?.width; r.height = data.image?.height; r.channels = data.image?.channels
        r.psnr = psnr; r.psnrPeak = 1; r.relativeResidual = FitMetrics.relativeResidual(prediction: fit, target: data.y)
        r.steps = history.count; r.layers = spec.layers; r.supportSize = model.nonzeros; r.sigma = data.sigmas
        r.denseNetworkBytes = (m * data.d + m) * 4
        r.history = history.map { HistoryEntry($0, full: false) }
        r.coordinates = spec.resolvedCoordinates.rawValue
        r.constantFeature = spec.resolvedConstantFeature
        var pixels = fit, heldoutText = ""
        if let held = data.heldout, let trainIdx = data.trainSamples, let heldIdx = data.heldoutSamples {
            let heldFit = try model.predict(x: held.x, n: held.n, backend: backend)
            let heldPSNR = FitMetrics.psnr(prediction: heldFit, target: held.y, peak: 1)
            r.holdout = spec.holdout; r.heldoutPsnr = heldPSNR
            heldoutText = String(format: "  heldout_psnr %.2f dB (%d pixels)", heldPSNR, held.n)
            pixels = [Float](repeating: 0, count: trainIdx.count + heldIdx.count)
            for (i, p) in trainIdx.enumerated() { pixels[p] = fit[i] }
            for (i, p) in heldIdx.enumerated() { pixels[p] = heldFit[i] }
        }
        try saveOutputs(model, outputs, spec: spec, data: data)
        if let path = outputs.fittedImagePath, let image = data.image, image.channels == 1 || image.channels == 3 {
            // The fitted image beside the report: `run.json` -> `run.png` (values clamped to [0, 1]).
            try PNGImage.write(NetPBM.Image(width: image.width, height: image.height, channels: image.channels, pixels: pixels), to: path)
        }
        return TaskRun(report: r, summary: String(format: "psnr %.2f dB (peak 1)%@  steps %d  nonzeros %d  %.2fs",
                                                  psnr, heldoutText, history.count, model.nonzeros, seconds))
    }

    /// planted with `outputs > 1` (vector output) or `layers > 1` (a planted L-layer network).
    static func plantedNetworkRun<B: ComputeBackend>(_ spec: TaskSpec, data: TaskData, outputs: TaskOutputs,
                                                     observer: TaskObserver, backend: B) throws -> TaskRun {
        let m = spec.resolvedM, s = spec.resolvedS, n = data.n, d = data.d
        let t0 = Date()
        let model: LayeredModel
        var steps = 0
        var history: [HistoryEntry]?, diverged: [Divergence]?
        if spec.outputs == 1 {
            let (mdl, h) = try trainScalar(spec, x: data.x, y: data.y, n: n, d: d, batch: spec.batch, epochs: spec.epochs,
                                           observer: observer, backend: backend)
            model = mdl
            steps = h.count
        } else {
            let e = spec.epochs ?? TaskDefaults.plantedVectorEpochs
            let (mdl, h, div) = try trainVector(spec, x: data.x, y: data.y, n: n, d: d, k: spec.outputs,
                                                loss: spec.loss ?? .squared, batch: spec.batch ?? min(TaskDefaults.plantedVectorBatch, n),
                                                epochs: e, observer: observer, backend: backend)
            model = mdl
            steps = e * spec.layers
            history = h.map { HistoryEntry($0, full: false) }
            diverged = div
        }
        let seconds = Date().timeIntervalSince(t0)
        let fit = try model.predict(x: data.x, n: n, backend: backend)
        let psnr = data.score(fit)
        var r = common(spec, backend: backend, n: n, d: d, m: m, s: s, seconds: seconds)
        r.steps = steps; r.history = history; r.diverged = diverged
        r.psnr = psnr; r.relativeResidual = FitMetrics.relativeResidual(prediction: fit, target: data.y)
        r.outputs = spec.outputs; r.layers = spec.layers; r.supportSize = model.nonzeros
        r.denseNetworkBytes = (m * d + m * spec.outputs + (spec.layers - 1) * m * m) * 4
        try save(model, to: outputs.model, spec: spec, data: data)
        return TaskRun(report: r, summary: String(format: "psnr %.2f dB  outputs %d  layers %d  nonzeros %d  %.2fs",
                                                  psnr, spec.outputs, spec.layers, model.nonzeros, seconds))
    }
}
