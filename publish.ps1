#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds the release binaries: the native AOT appliance (and, as they arrive, the CLI and the hub).

.DESCRIPTION
    Native AOT compiles for the operating system it runs on: run this on Linux for linux-x64 /
    linux-arm64 (the arm64 build needs the cross toolchain: apt-get install clang lld
    gcc-aarch64-linux-gnu), on Windows for win-x64.

.EXAMPLE
    ./publish.ps1                       # this machine's runtime, into ./artifacts/publish
    ./publish.ps1 -Runtime linux-arm64
#>
param(
    [string] $Runtime = "",
    [string] $Output = (Join-Path $PSScriptRoot "artifacts/publish"),
    [string] $Configuration = "Release"
)

$ErrorActionPreference = "Stop"

if (-not $Runtime) {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $os = if ($IsWindows) { "win" } elseif ($IsMacOS) { "osx" } else { "linux" }
    $Runtime = "$os-$arch"
}

$projects = @(
    @{ Name = "appliance"; Path = "appliance/Signage.Appliance" }
)

foreach ($project in $projects) {
    $destination = Join-Path $Output "$($project.Name)-$Runtime"
    Write-Host "==> $($project.Name) for $Runtime -> $destination"
    $log = & dotnet publish (Join-Path $PSScriptRoot $project.Path) -c $Configuration -r $Runtime -o $destination -nologo 2>&1
    $log | Write-Host
    if ($LASTEXITCODE -ne 0) { throw "Publishing $($project.Name) failed." }
    # Tolerated: jose-jwt's own reflection mapper, which the appliance replaces (docs/ARCHITECTURE.md).
    $unexpected = $log | Where-Object { $_ -match "warning (IL|AOT)\d+" -and $_ -notmatch "warning IL(2026|3050): Jose\.(JsonMapper|NestedDictionariesConverter)\." }
    if ($unexpected) { throw "Publishing $($project.Name) produced trim/AOT warnings." }
}

Write-Host "Done: $Output"
