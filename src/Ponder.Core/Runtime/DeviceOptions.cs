using TorchSharp;

namespace Ponder.Runtime;

/// <summary>
/// Where tensors live and in which floating-point type weights are kept. The one place that turns the user's
/// <c>--device</c> / <c>--dtype</c> strings into TorchSharp values: nothing else in Ponder names a device.
/// </summary>
/// <param name="Device">"cpu", "cuda" or "cuda:N". <value>The default value is "cpu".</value></param>
/// <param name="DType">"float32" or "bfloat16" ("float16" is refused on CPU: libtorch has no fast float16 kernels
/// there).
/// <value>The default value is "float32".</value></param>
public sealed record DeviceOptions(string Device = "cpu", string DType = "float32")
{
    public static DeviceOptions Cpu { get; } = new();

    public torch.Device TorchDevice => ParseDevice(Device);

    public torch.ScalarType ScalarType => ParseDType(DType, Device);

    public static torch.Device ParseDevice(string device)
    {
        string d = device.Trim().ToLowerInvariant();
        if (d == "cpu")
            return torch.CPU;
        if (d == "cuda" || d.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
            {
                throw new PonderException(
                    $"--device {device}: CUDA is not available in this build. Reference a CUDA libtorch "
                        + "package (e.g. TorchSharp-cuda-linux) or use --device cpu."
                );
            }

            return d == "cuda" ? torch.CUDA : new torch.Device(d);
        }
        throw new PonderException($"--device {device}: unknown device. Use cpu, cuda or cuda:N.");
    }

    public static torch.ScalarType ParseDType(string dtype, string device = "cpu") =>
        dtype.Trim().ToLowerInvariant() switch
        {
            "float32" or "fp32" or "f32" => torch.ScalarType.Float32,
            "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
            "float64" or "fp64" or "f64" => torch.ScalarType.Float64, // for gradient checks; slow
            "float16" or "fp16" or "f16" when !device.StartsWith("cpu", StringComparison.OrdinalIgnoreCase) => torch
                .ScalarType
                .Float16,
            "float16" or "fp16" or "f16" => throw new PonderException(
                $"--dtype {dtype}: float16 is orders of magnitude slower than float32 on CPU; use float32 or bfloat16."
            ),
            _ => throw new PonderException($"--dtype {dtype}: unknown dtype. Use float32 or bfloat16."),
        };
}
