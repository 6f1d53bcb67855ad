#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Builds the release artifacts: the appliance and the signage CLI as native AOT binaries, the hub
    as a self-contained app, and SHA256SUMS, under artifacts/publish.

.DESCRIPTION
    The same steps as publish.sh (which test.sh runs on Linux; keep the two in step):
      artifacts/publish/appliance-<rid>/   native AOT, SQLite linked in
      artifacts/publish/cli-<rid>/         native AOT
      artifacts/publish/hub-<rid>/         self-contained (skipped with a warning while
                                           cloud-hub/Signage.CloudHub does not exist)
      artifacts/publish/SHA256SUMS
    Native AOT compiles for the operating system it runs on: run this on Windows for win-x64, on
    Linux for linux-x64 / linux-arm64 (arm64 needs: apt-get install clang lld gcc-aarch64-linux-gnu).
    Fails loudly: a failed publish or any trim/AOT warning in a native binary (except jose-jwt's,
    see docs/ARCHITECTURE.md) stops the script with an error.

.EXAMPLE
    ./publish.ps1                       # this machine's runtime, into ./artifacts/publish
.EXAMPLE
    ./publish.ps1 -Runtime linux-arm64
#>
param(
    [string] $Runtime = "",
    [string] $Output = (Join-Path $PSScriptRoot "artifacts/publish"),
    [string] $Configuration = "Release"
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

if (-not $Runtime) {
    $arch = [System.Runtime.InteropServices.RuntimeInformation]::OSArchitecture.ToString().ToLowerInvariant()
    $os = if ($IsWindows) { "win" } elseif ($IsMacOS) { "osx" } else { "linux" }
    $Runtime = "$os-$arch"
}

$projects = @(
    @{ Name = "appliance"; Path = "appliance/Signage.Appliance"; Kind = "aot" },
    @{ Name = "cli"; Path = "cli/Signage.Cli"; Kind = "aot" },
    @{ Name = "hub"; Path = "cloud-hub/Signage.CloudHub"; Kind = "self-contained" }
)
$tolerated = "warning IL(2026|3050): Jose\.(JsonMapper|NestedDictionariesConverter)\."
$logs = Join-Path $Output "logs"
New-Item -ItemType Directory -Force -Path $logs | Out-Null

foreach ($project in $projects) {
    $source = Join-Path $PSScriptRoot $project.Path
    if (-not (Test-Path $source)) {
        Write-Warning "$($project.Path) does not exist; $($project.Name) skipped."
        continue
    }
    $destination = Join-Path $Output "$($project.Name)-$Runtime"
    Write-Host "==> $($project.Name) ($($project.Kind)) for $Runtime -> $destination"
    if (Test-Path $destination) { Remove-Item $destination -Recurse -Force }
    $arguments = @("publish", $source, "-c", $Configuration, "-r", $Runtime, "-o", $destination, "-nologo")
    if ($project.Kind -eq "self-contained") { $arguments += @("--self-contained", "true", "-p:PublishAot=false") }
    $log = & dotnet @arguments 2>&1
    $log | Set-Content (Join-Path $logs "publish-$($project.Name).log")
    if ($LASTEXITCODE -ne 0) { $log | Write-Host; throw "Publishing $($project.Name) failed." }
    if ($project.Kind -eq "aot") {
        $unexpected = $log | Where-Object { $_ -match "warning (IL|AOT)\d+" -and $_ -notmatch $tolerated } | Sort-Object -Unique
        if ($unexpected) { $unexpected | Write-Host; throw "$($project.Name) has trim/AOT warnings; the native binary must have none." }
    }
}

$sums = Get-ChildItem $Output -Recurse -File |
    Where-Object { $_.Name -ne "SHA256SUMS" -and $_.FullName -notlike "$logs*" } |
    Sort-Object FullName |
    ForEach-Object {
        $relative = [System.IO.Path]::GetRelativePath($Output, $_.FullName).Replace('\', '/')
        "$((Get-FileHash $_.FullName -Algorithm SHA256).Hash.ToLowerInvariant())  $relative"
    }
$sums | Set-Content (Join-Path $Output "SHA256SUMS") -Encoding ascii
Write-Host "Done: $Output"
