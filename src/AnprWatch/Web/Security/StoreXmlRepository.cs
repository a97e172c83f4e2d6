using System.Xml.Linq;
using AnprWatch.Storage.Access;
using Microsoft.AspNetCore.DataProtection.Repositories;

namespace AnprWatch.Web.Security;

/// <summary>Data Protection's key ring in the store (<see cref="DataProtectionKeyStore"/>): one ring for all replicas.</summary>
public sealed class StoreXmlRepository(DataProtectionKeyStore store) : IXmlRepository
{
    public IReadOnlyCollection<XElement> GetAllElements() => store.All().Select(XElement.Parse).ToList();

    public void StoreElement(XElement element, string friendlyName) => store.Add(friendlyName, element.ToString(SaveOptions.DisableFormatting));
}
